package lb.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.protocol.Json;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.DaemonProcess;
import lb.testing.EchoBackend;
import lb.testing.Payload;

/**
 * Test thread, and one load thread. {@code lb-cli upgrade} with real processes: a new daemon joins
 * the listeners' SO_REUSEPORT groups, takes the admin socket and serves new connections while the
 * old one finishes its sessions and exits; a bad config, a new process that crashes and one that
 * is never ready each leave the old one serving. The host's net.ipv4.tcp_migrate_req is read, not
 * changed: with 1 no new connection may fail; with 0 the failures are counted and reported.
 */
class UpgradeProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern UPGRADED = Pattern.compile("upgraded: pid (\\d+) took over");

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private Path socket;
    private Path config;
    private final List<Long> startedPids = new ArrayList<>();

    @AfterEach
    void stopNewProcesses() {
        for (long pid : startedPids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static long migrateReq() {
        try {
            return Long.parseLong(Files.readString(Path.of("/proc/sys/net/ipv4/tcp_migrate_req")).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private DaemonProcess startOld(List<String> jvmOptions, EchoBackend a, EchoBackend b) throws Exception {
        return startOld(jvmOptions, a, b, dir.resolve("admin.sock"));
    }

    private DaemonProcess startOld(List<String> jvmOptions, EchoBackend a, EchoBackend b, Path adminSocket)
            throws Exception {
        socket = adminSocket;
        config = dir.resolve("lb.toml");
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // a fixed port: an upgrade's new process must bind the same one
        }
        Files.writeString(config, """
                [daemon]
                workers = 2
                shutdown_grace = "60s"
                admin_socket = "%s"
                state_file = ""
                [[listener]]
                name = "web"
                bind = "127.0.0.1:%d"
                pool = "web"
                [[pool]]
                name = "web"
                [[pool.backend]]
                address = "127.0.0.1:%d"
                [[pool.backend]]
                address = "127.0.0.1:%d"
                """.formatted(socket, port, a.address().getPort(), b.address().getPort()));
        DaemonProcess old = cleanup.track(DaemonProcess.startWithJvmOptions(jvmOptions, "--config", config.toString()));
        old.awaitLine(DaemonProcess.READY_LINE, TIMEOUT);
        return old;
    }

    private CliProcess cli(String... args) throws Exception {
        CliProcess cli = cleanup.track(CliProcess.start(socket, args));
        cli.awaitExit(TIMEOUT);
        return cli;
    }

    /** The pid answering on the admin socket's path now. */
    @SuppressWarnings("unchecked")
    private long statusPid() throws Exception {
        CliProcess status = cli("--json", "status");
        Map<String, Object> reply = (Map<String, Object>) Json.parse(status.stdout().trim());
        return ((Number) ((Map<String, Object>) reply.get("result")).get("pid")).longValue();
    }

    private static void echo(Client c, long seed) throws IOException {
        byte[] data = Payload.random(seed, 4096);
        c.send(data);
        assertArrayEquals(Payload.sha256(data), Payload.sha256(c.readExactly(data.length)), "echoed intact");
    }

    /** New connections one after another until stopped: each connects, echoes 64 bytes, closes. */
    private static final class Churn implements Runnable {
        final InetSocketAddress target;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger served = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());

        Churn(InetSocketAddress target) {
            this.target = target;
        }

        @Override
        public void run() {
            long seed = 0;
            while (!stop.get()) {
                try (Client c = Client.connect(target)) {
                    c.readTimeout(Duration.ofSeconds(5));
                    echo(c, seed++);
                    served.incrementAndGet();
                } catch (IOException | AssertionError e) {
                    failed.incrementAndGet();
                    if (failures.size() < 10) {
                        failures.add(e.toString());
                    }
                }
            }
        }
    }

    private Thread churn(Churn churn) {
        Thread t = new Thread(churn, "churn");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private long upgrade(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("upgrade"));
        args.addAll(List.of(extra));
        CliProcess up = cli(args.toArray(new String[0]));
        assertEquals(0, up.awaitExit(TIMEOUT), up.output());
        Matcher m = UPGRADED.matcher(up.stdout());
        assertTrue(m.find(), up.stdout());
        long pid = Long.parseLong(m.group(1));
        startedPids.add(pid);
        assertEquals(migrateReq() == 0, up.stdout().contains("warning: net.ipv4.tcp_migrate_req = 0"), up.stdout());
        return pid;
    }

    @Test
    void theNewProcessTakesOverWhileTheOldOneFinishesItsStreams() throws Exception {
        EchoBackend a = cleanup.track(EchoBackend.start("a"));
        EchoBackend b = cleanup.track(EchoBackend.start("b"));
        DaemonProcess old = startOld(List.of(), a, b);
        long oldPid = statusPid();
        InetSocketAddress web = old.awaitListener("web", TIMEOUT);
        List<Client> streams = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Client c = cleanup.track(Client.connect(web));
            echo(c, i);
            streams.add(c);
        }
        Churn load = new Churn(web);
        Thread loader = churn(load);
        Await.until(() -> load.served.get() > 50, TIMEOUT, "churn running");

        long startNs = System.nanoTime();
        long newPid = upgrade();
        Await.until(() -> {
            try {
                return statusPid() == newPid;
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(2), "the admin socket answers as the new process within 2 s");
        long tookMs = (System.nanoTime() - startNs) / 1_000_000;
        int servedAtUpgrade = load.served.get();
        Await.until(() -> load.served.get() > servedAtUpgrade + 200, TIMEOUT, "churn goes on through the new process");
        load.stop.set(true);
        loader.join(TIMEOUT.toMillis());

        for (int i = 0; i < streams.size(); i++) {
            echo(streams.get(i), 1000 + i); // still relayed by the old process
        }
        long migrate = migrateReq();
        System.out.println("upgrade: pid " + oldPid + " -> " + newPid + " in " + tookMs + " ms; tcp_migrate_req = "
                + migrate + "; new connections: " + load.served.get() + " served, " + load.failed.get() + " failed "
                + load.failures);
        if (migrate == 1) {
            assertEquals(0, load.failed.get(), "tcp_migrate_req = 1: no new connection may fail " + load.failures);
        }
        for (Client c : streams) {
            c.close();
        }
        assertEquals(0, old.awaitExit(TIMEOUT), "the old process exits once its streams end: " + old.output());
        try (Client c = Client.connect(web)) {
            echo(c, 7); // the new one serves alone
        }
        assertEquals(newPid, statusPid());
    }

    @Test
    void tenUpgradesInARowLeaveOneGroupOfListeningSockets() throws Exception {
        EchoBackend a = cleanup.track(EchoBackend.start("a"));
        EchoBackend b = cleanup.track(EchoBackend.start("b"));
        DaemonProcess old = startOld(List.of(), a, b);
        InetSocketAddress web = old.awaitListener("web", TIMEOUT);
        Churn load = new Churn(web);
        Thread loader = churn(load);
        long previous = statusPid();
        for (int i = 0; i < 10; i++) {
            long next = upgrade();
            long gone = previous;
            Await.until(() -> ProcessHandle.of(gone).map(p -> !p.isAlive()).orElse(true), TIMEOUT,
                    "pid " + gone + " exits after handing over");
            previous = next;
        }
        load.stop.set(true);
        loader.join(TIMEOUT.toMillis());
        assertEquals(previous, statusPid());
        assertEquals(2, listeningSockets(web.getPort()), "one socket per loop of the last process: none leaked");
        System.out.println("10 upgrades: new connections " + load.served.get() + " served, " + load.failed.get()
                + " failed (tcp_migrate_req = " + migrateReq() + ") " + load.failures);
        if (migrateReq() == 1) {
            assertEquals(0, load.failed.get(), load.failures.toString());
        }
        try (Client c = Client.connect(web)) {
            echo(c, 8);
        }
    }

    /** TCP sockets listening on {@code port} on this host (/proc/net/tcp, state 0A). */
    private static long listeningSockets(int port) throws IOException {
        String hexPort = String.format(":%04X", port);
        return Files.readAllLines(Path.of("/proc/net/tcp")).stream().skip(1).map(String::trim)
                .map(l -> l.split("\\s+")).filter(f -> f[1].endsWith(hexPort) && f[3].equals("0A")).count();
    }

    /**
     * admin_socket may be 100 bytes long; the new process's temporary socket beside it must
     * still fit in a Unix socket address (107 bytes), or the upgrade could never bind it.
     */
    @Test
    void anAdminSocketPathOfOneHundredCharactersUpgrades() throws Exception {
        EchoBackend a = cleanup.track(EchoBackend.start("a"));
        EchoBackend b = cleanup.track(EchoBackend.start("b"));
        Path deep = dir;
        while (deep.toString().length() < 100 - "/admin.sock".length() - 10) {
            deep = deep.resolve("d123456789");
        }
        String pad = "x".repeat(100 - deep.toString().length() - 1 - "/admin.sock".length());
        Path longSocket = Files.createDirectories(deep.resolve(pad)).resolve("admin.sock");
        assertEquals(100, longSocket.toString().length(), longSocket.toString());
        DaemonProcess old = startOld(List.of(), a, b, longSocket);
        long oldPid = statusPid();
        InetSocketAddress web = old.awaitListener("web", TIMEOUT);

        CliProcess upgrade = cli("upgrade");
        assertEquals(0, upgrade.awaitExit(TIMEOUT), upgrade.output());
        Matcher m = UPGRADED.matcher(upgrade.output());
        assertTrue(m.find(), upgrade.output());
        long newPid = Long.parseLong(m.group(1));
        startedPids.add(newPid);
        assertTrue(newPid != oldPid);
        assertEquals(newPid, statusPid(), "the new process answers on the 100-character path");
        try (Client c = Client.connect(web)) {
            echo(c, 2);
        }
        try (var files = Files.list(longSocket.getParent())) {
            assertEquals(List.of("admin.sock"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary socket or ready file left");
        }
    }

    @Test
    void aFailedUpgradeLeavesTheOldProcessServing() throws Exception {
        EchoBackend a = cleanup.track(EchoBackend.start("a"));
        EchoBackend b = cleanup.track(EchoBackend.start("b"));
        DaemonProcess old = startOld(List.of(), a, b);
        long oldPid = statusPid();
        InetSocketAddress web = old.awaitListener("web", TIMEOUT);
        String good = Files.readString(config);
        Files.writeString(config, good.replace("workers = 2", "workers = \"two\"") + "[[listener]]\nname = \"x\"\n");
        CliProcess bad = cli("upgrade");
        assertEquals(1, bad.awaitExit(TIMEOUT), bad.output());
        assertTrue(bad.output().contains("upgrade refused, nothing changed: the new process would not start"), bad.output());
        assertTrue(bad.output().contains("daemon.workers: \"two\" is not an integer"), bad.output());
        assertTrue(bad.output().contains("listener[1].bind: missing"), bad.output());
        Files.writeString(config, good);
        assertEquals(oldPid, statusPid());
        try (Client c = Client.connect(web)) {
            echo(c, 1);
        }
    }

    @Test
    void aNewProcessThatCrashesOrHangsIsStoppedAndTheOldOneServesOn() throws Exception {
        EchoBackend a = cleanup.track(EchoBackend.start("a"));
        EchoBackend b = cleanup.track(EchoBackend.start("b"));
        for (String fault : List.of("crash", "hang")) {
            DaemonProcess old = startOld(List.of("-Dlb.test.upgradeFault=" + fault), a, b);
            long oldPid = statusPid();
            InetSocketAddress web = old.awaitListener("web", TIMEOUT);
            CliProcess up = cli("upgrade", "--timeout", "3");
            assertEquals(1, up.awaitExit(TIMEOUT), up.output());
            assertTrue(up.output().contains("upgrade failed, this process keeps serving: the new process (pid "), up.output());
            assertTrue(up.output().contains(fault.equals("crash") ? "exited with status 3 before it was ready"
                    : "was not ready within 3000 ms; stopped it"), up.output());
            Matcher m = Pattern.compile("the new process \\(pid (\\d+)\\)").matcher(up.output());
            assertTrue(m.find());
            long failedPid = Long.parseLong(m.group(1));
            startedPids.add(failedPid);
            Await.until(() -> ProcessHandle.of(failedPid).map(p -> !p.isAlive()).orElse(true), TIMEOUT,
                    "the failed new process is gone");
            assertEquals(oldPid, statusPid(), fault);
            try (Client c = Client.connect(web)) {
                echo(c, 2);
            }
            Await.until(() -> listeningSocketsQuietly(web.getPort()) == 2, TIMEOUT, "only the old process listens");
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".upgrade"))
                        .toList(), "no temporary admin socket or ready file left");
            }
            old.close();
        }
    }

    private static long listeningSocketsQuietly(int port) {
        try {
            return listeningSockets(port);
        } catch (IOException e) {
            return -1;
        }
    }
}
