package lb.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.testing.AdminClient;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.DaemonProcess;
import lb.testing.EchoBackend;

/**
 * Test thread only. The daemon as systemd sees it, without systemd: a real Unix datagram socket as
 * NOTIFY_SOCKET gets READY=1 once the listeners accept, STOPPING=1 at SIGTERM, MAINPID of the new
 * process at an upgrade, and no WATCHDOG=1 while an event loop is stalled; /ready answers 503 from
 * SIGTERM while the listeners keep accepting for drain_delay.
 */
class SystemdProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private Path config(int workers, int port, int metricsPort, String extra, EchoBackend backend) throws IOException {
        Path config = dir.resolve("lb.toml");
        Files.writeString(config, """
                [daemon]
                workers = %d
                admin_socket = "%s"
                state_file = ""
                shutdown_grace = "5s"
                %s
                [metrics]
                listen = "127.0.0.1:%d"
                [[listener]]
                name = "web"
                bind = "127.0.0.1:%d"
                pool = "web"
                [[pool]]
                name = "web"
                [[pool.backend]]
                address = "127.0.0.1:%d"
                """.formatted(workers, dir.resolve("admin.sock"), extra, metricsPort, port, backend.address().getPort()));
        return config;
    }

    private static int httpStatus(int port, String path) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        } catch (IOException | RuntimeException e) {
            return -1; // nothing listens
        }
    }

    private static boolean serves(int port) {
        try (Client c = Client.connect(new InetSocketAddress("127.0.0.1", port))) {
            c.send(new byte[] {9});
            return c.readExactly(1)[0] == 9;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void readyAfterTheListenersAcceptStoppingAtSigtermAndReadyTurns503DuringDrainDelay() throws Exception {
        EchoBackend backend = cleanup.track(EchoBackend.start("echo"));
        int port = freePort();
        int metrics = freePort();
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"))) {
            DaemonProcess daemon = cleanup.track(DaemonProcess.startWithEnvironment(systemd.env(), "--config",
                    config(2, port, metrics, "drain_delay = \"2s\"", backend).toString()));
            String first = systemd.receive(TIMEOUT);
            assertTrue(first != null && first.startsWith("READY=1\nSTATUS="), first);
            assertTrue(first.contains("0 session(s) open; 1 of 1 backend(s) up; 1 listener(s)"), first);
            assertTrue(serves(port), "the listener accepts once READY=1 is sent");
            assertEquals(200, httpStatus(metrics, "/ready"));

            long sigtermNs = System.nanoTime();
            daemon.terminate();
            String stopping = systemd.receive(TIMEOUT);
            assertTrue(stopping != null && stopping.startsWith("STOPPING=1\nSTATUS=draining"), stopping);
            assertEquals(503, httpStatus(metrics, "/ready"), "not ready from SIGTERM on");
            assertTrue(serves(port), "still accepting during drain_delay");
            assertTrue((System.nanoTime() - sigtermNs) / 1_000_000 < 2000, "checked within the drain delay");
            assertEquals(0, daemon.awaitExit(TIMEOUT), daemon.output());
            assertTrue(!serves(port), "closed after it");
        }
    }

    @Test
    void noWatchdogPingWhileAnEventLoopIsStalled() throws Exception {
        EchoBackend backend = cleanup.track(EchoBackend.start("echo"));
        int port = freePort();
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"))) {
            // One loop; 4 s after start its next pass stalls for 6 s. Pings every 200 ms otherwise.
            DaemonProcess daemon = cleanup.track(DaemonProcess.startWith(List.of("-Dlb.test.stall=EventLoop-0:4000:6000"),
                    systemd.env("WATCHDOG_USEC", "400000"), "--config",
                    config(1, port, freePort(), "", backend).toString()));
            List<Long> pings = new ArrayList<>();
            long startNs = System.nanoTime();
            boolean poked = false;
            while (System.nanoTime() - startNs < 14_000_000_000L) {
                String d = systemd.receive(Duration.ofMillis(200));
                if (d != null && d.contains("WATCHDOG=1")) {
                    pings.add(System.nanoTime());
                }
                if (!poked && System.nanoTime() - startNs > 5_000_000_000L) {
                    poked = true;
                    serves(port); // a pass on the loop: the stall begins (the connection waits it out)
                }
            }
            long longestGapMs = 0;
            for (int i = 1; i < pings.size(); i++) {
                longestGapMs = Math.max(longestGapMs, (pings.get(i) - pings.get(i - 1)) / 1_000_000);
            }
            assertTrue(pings.size() > 10, "pings while healthy: " + pings.size());
            assertTrue(longestGapMs >= 4000, "no ping while the loop was stuck: longest gap " + longestGapMs + " ms");
            assertTrue(pings.get(pings.size() - 1) - startNs > 11_000_000_000L, "pings resumed after the stall");
            assertTrue(daemon.output().contains("EventLoop-0 has been in one pass for"), daemon.output());
        }
    }

    @Test
    void anUpgradesNewProcessNamesItselfMainPid() throws Exception {
        EchoBackend backend = cleanup.track(EchoBackend.start("echo"));
        int port = freePort();
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"))) {
            DaemonProcess old = cleanup.track(DaemonProcess.startWithEnvironment(systemd.env(), "--config",
                    config(1, port, freePort(), "", backend).toString()));
            String ready = systemd.receive(TIMEOUT);
            assertTrue(ready != null && ready.startsWith("READY=1"), ready + " " + old.output());
            String reply = AdminClient.call(dir.resolve("admin.sock"), "{\"cmd\":\"upgrade\"}");
            assertTrue(reply.contains("\"ok\":true"), reply);
            long newPid = Long.parseLong(reply.replaceAll(".*\"new_pid\":(\\d+).*", "$1"));
            try {
                String handOver = systemd.receive(TIMEOUT);
                assertTrue(handOver != null && handOver.startsWith("MAINPID=" + newPid + "\nREADY=1\nSTATUS=took over from pid "
                        + old.process().pid()), handOver);
                assertEquals(0, old.awaitExit(TIMEOUT), "the old process drains and exits: " + old.output());
                String next;
                while ((next = systemd.receive(Duration.ofMillis(300))) != null) {
                    assertTrue(!next.contains("STOPPING=1"), "the old process must not say the unit stops: " + next);
                }
                assertTrue(serves(port), "the new process serves");
            } finally {
                ProcessHandle.of(newPid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
