package lb.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.DaemonProcess;
import lb.testing.EchoBackend;
import lb.testing.Payload;

/**
 * Test thread. A daemon process limited to 150 descriptors takes 120 clients at once, more than it
 * can relay: its own socket() failing with EMFILE is not charged to the backends (none is ejected,
 * though one failure in a row would eject), no client is reset, and every one is served as the
 * first ones leave and give their descriptors back.
 */
class OutOfDescriptorsProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int CLIENTS = 120;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void clientsWaitForDescriptorsAndNoBackendIsBlamed() throws Exception {
        EchoBackend a = cleanup.track(EchoBackend.start("a"));
        EchoBackend b = cleanup.track(EchoBackend.start("b"));
        Path file = dir.resolve("lb.toml");
        Files.writeString(file, """
                [daemon]
                workers = 1
                access_log = false
                admin_socket = ""
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                connect_timeout = "20s"
                [[pool]]
                name = "web"
                [pool.outlier]
                consecutive_failures = 1
                max_ejection_percent = 100
                [[pool.backend]]
                name = "a"
                address = "127.0.0.1:%d"
                [[pool.backend]]
                name = "b"
                address = "127.0.0.1:%d"
                """.formatted(a.address().getPort(), b.address().getPort()));
        DaemonProcess daemon = cleanup.track(DaemonProcess.startWithFileLimit(150, "--config", file.toString()));
        InetSocketAddress web = daemon.awaitListener("web", WAIT);
        daemon.awaitLine(DaemonProcess.READY_LINE, WAIT);

        List<Client> clients = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Client c = cleanup.track(Client.connect(web));
            byte[] payload = Payload.random(i, 64);
            c.send(payload);
            clients.add(c);
            payloads.add(payload);
        }
        daemon.awaitLine(java.util.regex.Pattern.compile("Too many open files"), WAIT); // it ran out
        // Each client, in turn, gets its echo and leaves, giving its two descriptors back.
        for (int i = 0; i < CLIENTS; i++) {
            byte[] echoed;
            try {
                echoed = clients.get(i).readExactly(64);
            } catch (java.io.IOException e) {
                throw new AssertionError("client " + i + ": " + e + "\n" + daemon.stderr(), e);
            }
            assertArrayEquals(payloads.get(i), echoed, "client " + i + " echoed intact");
            clients.get(i).close();
        }
        assertEquals(CLIENTS, a.accepted() + b.accepted(), "every client reached a backend once");
        String log = daemon.stderr();
        assertTrue(!log.contains("ejected"), "no backend ejected:\n" + log);
        assertTrue(!log.contains("connect to backend"), "no connect failure charged to a backend:\n" + log);
        long lines = daemon.stderrLines().stream().filter(l -> l.contains("Too many open files")).count();
        assertTrue(lines <= 6, lines + " warning lines: one per cause per 10 s at most");
    }

    /**
     * Deterministic: admin connections take the daemon's descriptors until exactly one is free, so a
     * client's accept takes the last and the session's own socket() fails with EMFILE. The client
     * is neither reset nor charged to a backend; it is served once an admin connection closes.
     */
    @Test
    void aSessionWhoseSocketFailsWithEmfileWaitsAndNoBackendIsCharged() throws Exception {
        EchoBackend a = cleanup.track(EchoBackend.start("a"));
        Path file = dir.resolve("lb.toml");
        Path socket = dir.resolve("admin.sock");
        Files.writeString(file, """
                [daemon]
                workers = 1
                access_log = false
                admin_socket = "%s"
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                connect_timeout = "20s"
                [[pool]]
                name = "web"
                [pool.outlier]
                consecutive_failures = 1
                max_ejection_percent = 100
                [[pool.backend]]
                name = "a"
                address = "127.0.0.1:%d"
                """.formatted(socket, a.address().getPort()));
        int limit = 100;
        DaemonProcess daemon = cleanup.track(DaemonProcess.startWithFileLimit(limit, "--config", file.toString()));
        InetSocketAddress web = daemon.awaitListener("web", WAIT);
        daemon.awaitLine(DaemonProcess.READY_LINE, WAIT);
        Path fds = Path.of("/proc", Long.toString(daemon.process().pid()), "fd");
        List<java.nio.channels.SocketChannel> admins = new ArrayList<>();
        int free = limit - openDescriptors(fds);
        for (int i = 0; i < free - 1; i++) { // each accepted admin connection takes one descriptor
            java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
            c.connect(java.net.UnixDomainSocketAddress.of(socket));
            admins.add(c);
        }
        lb.testing.Await.until(() -> openDescriptors(fds) == limit - 1, WAIT,
                () -> "one descriptor left: " + openDescriptors(fds) + " of " + limit);
        Client client = cleanup.track(Client.connect(web));
        byte[] payload = Payload.random(7, 64);
        client.send(payload);
        daemon.awaitLine(java.util.regex.Pattern.compile("cannot open a backend connection: Too many open files"), WAIT);
        admins.remove(0).close(); // one descriptor back: the waiting session takes it
        assertArrayEquals(payload, client.readExactly(64), "served once a descriptor was free");
        for (java.nio.channels.SocketChannel c : admins) {
            c.close();
        }
        String log = daemon.stderr();
        assertTrue(!log.contains("ejected") && !log.contains("connect to backend"), "nothing charged to a:\n" + log);
    }

    private static int openDescriptors(Path fds) {
        try (java.util.stream.Stream<Path> list = Files.list(fds)) {
            return (int) list.count(); // the daemon's: this listing's own descriptor is in the test's process
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
