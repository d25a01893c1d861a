package lb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.testing.AdminClient;
import lb.testing.Cleanup;
import lb.testing.Await;
import lb.testing.Client;
import lb.testing.DaemonProcess;
import lb.testing.DeadPort;
import lb.testing.EchoBackend;
import lb.testing.Payload;

/** The real {@code lb.Main} process: demo mode, SIGTERM with a grace period, config checking, exit codes. */
class MainProcessTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern DEMO_ANSWER = Pattern.compile("hello from (demo-\\d) \\(127\\.0\\.0\\.1:\\d+\\)\n");

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private static String hostPort(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    private Path configFile(String name, String toml) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, toml, StandardCharsets.UTF_8);
        return file;
    }

    private String echoConfig(InetSocketAddress backend, String graceText) {
        return """
                [daemon]
                workers = 2
                shutdown_grace = "%s"
                access_log = false
                admin_socket = "%s"

                [[listener]]
                name = "main"
                bind = "127.0.0.1:0"
                pool = "echo"
                connect_timeout = "2s"
                idle_timeout = "60s"
                half_close_timeout = "30s"
                max_connections = 100
                backlog = 128

                [[pool]]
                name = "echo"
                algorithm = "round_robin"
                retries = 1

                [[pool.backend]]
                name = "echo-1"
                address = "%s"
                weight = 1
                """.formatted(graceText, dir.resolve("admin.sock"), hostPort(backend));
    }

    private static String httpGet(InetSocketAddress address) throws IOException {
        try (Client client = Client.connect(address)) {
            client.send("GET / HTTP/1.0\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(client.readToEnd(64 * 1024), StandardCharsets.UTF_8);
        }
    }

    @Test
    void demoModeBalancesOverAllThreeBuiltInBackendsAndExitsZeroOnSigterm() throws Exception {
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--demo", "--listen", "127.0.0.1:0", "--no-access-log"));
        InetSocketAddress listener = daemon.awaitListener("demo", START_TIMEOUT);
        daemon.awaitLine(DaemonProcess.READY_LINE, START_TIMEOUT);

        Set<String> names = new TreeSet<>();
        for (int i = 0; i < 9; i++) {
            String response = httpGet(listener);
            Matcher m = DEMO_ANSWER.matcher(response);
            assertTrue(m.find(), "GET " + i + " answered: " + response + daemon.output());
            names.add(m.group(1));
        }
        assertEquals(Set.of("demo-1", "demo-2", "demo-3"), names, "demo backends that answered 9 GETs");

        daemon.terminate();
        assertEquals(0, daemon.awaitExit(EXIT_TIMEOUT), "exit code after SIGTERM" + daemon.output());
        assertTrue(daemon.stderrLines().stream().anyMatch(l -> l.contains("stopping")), "a 'stopping' line" + daemon.output());
    }

    @Test
    void sigtermFinishesStreamingSessionsClosesIdleOnesAfterTheGraceAndExitsZero() throws Exception {
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        Path config = configFile("lb.toml", echoConfig(echo.address(), "1s"));
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--config", config.toString()));
        InetSocketAddress listener = daemon.awaitListener("main", START_TIMEOUT);
        daemon.awaitLine(DaemonProcess.READY_LINE, START_TIMEOUT);

        List<Client> idle = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Client client = cleanup.track(Client.connect(listener));
            client.send(new byte[] {(byte) i});
            assertArrayEquals(new byte[] {(byte) i}, client.readExactly(1), "idle session " + i + " established");
            idle.add(client);
        }
        // A session in the middle of a transfer when SIGTERM arrives.
        byte[] payload = Payload.random(9, 1024 * 1024);
        int chunk = 32 * 1024;
        int half = payload.length / 2;
        MessageDigest echoed = Payload.sha256();
        Client streaming = cleanup.track(Client.connect(listener));
        for (int offset = 0; offset < half; offset += chunk) {
            streaming.send(payload, offset, chunk);
            echoed.update(streaming.readExactly(chunk));
        }

        long sigtermNs = System.nanoTime();
        daemon.terminate();
        daemon.awaitLine(DaemonProcess.STOPPING_LINE, Duration.ofSeconds(5));
        for (int offset = half; offset < payload.length; offset += chunk) {
            streaming.send(payload, offset, chunk);
            echoed.update(streaming.readExactly(chunk));
        }
        streaming.shutdownOutput();
        streaming.readTimeout(Duration.ofSeconds(5));
        assertEquals(Client.End.EOF, streaming.awaitEnd(), "the streaming session ends cleanly");
        long streamingDoneMs = (System.nanoTime() - sigtermNs) / 1_000_000;
        assertTrue(streamingDoneMs < 1_000, "the streaming session finished within the grace (" + streamingDoneMs + " ms)");
        assertArrayEquals(Payload.sha256(payload), echoed.digest(), "sha256 of the streamed bytes that came back");

        // The listener is closed: new connections are refused.
        Await.until(() -> refuses(listener), Duration.ofSeconds(3), "the listener still accepts after SIGTERM");

        for (int i = 0; i < 3; i++) {
            Client client = idle.get(i);
            client.readTimeout(Duration.ofSeconds(6));
            Client.End end = client.awaitEnd();
            long endMs = (System.nanoTime() - sigtermNs) / 1_000_000;
            assertTrue(endMs >= 1_000, "idle session " + i + " was closed (" + end + ") " + endMs
                    + " ms after SIGTERM, before the 1 s grace ran out");
        }
        int code = daemon.awaitExit(Duration.ofSeconds(4));
        long exitMs = (System.nanoTime() - sigtermNs) / 1_000_000;
        assertEquals(0, code, "exit code after SIGTERM" + daemon.output());
        assertTrue(exitMs < 1_000 + 3_000, "exited " + exitMs + " ms after SIGTERM, expected < grace + 3 s" + daemon.output());
    }

    /** Whether a connect to {@code address} is refused (or reset at once). */
    private static boolean refuses(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, 500);
            socket.setSoTimeout(200);
            try (InputStream in = socket.getInputStream()) {
                // A connection still in the closed listener's backlog is reset; a live one waits.
                return in.read() < 0;
            } catch (IOException e) {
                return !(e instanceof java.net.SocketTimeoutException);
            }
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void checkConfigExitsZeroOnAGoodFileAndOneWithTheReasonOnABadOne() throws Exception {
        InetSocketAddress backend = DeadPort.allocate(); // checking never connects
        Path good = configFile("good.toml", echoConfig(backend, "1s"));
        DaemonProcess ok = cleanup.track(DaemonProcess.start("--check-config", "--config", good.toString()));
        assertEquals(0, ok.awaitExit(EXIT_TIMEOUT), "exit code of --check-config on a good file" + ok.output());

        Path bad = configFile("bad.toml", echoConfig(backend, "1s").replace("pool = \"echo\"", "pool = \"no-such-pool\""));
        DaemonProcess rejected = cleanup.track(DaemonProcess.start("--check-config", "--config", bad.toString()));
        assertEquals(1, rejected.awaitExit(EXIT_TIMEOUT), "exit code of --check-config on a bad file" + rejected.output());
        assertTrue(rejected.stderrLines().stream().anyMatch(l -> l.contains("no-such-pool")),
                "stderr names the missing pool" + rejected.output());

        Path badDuration = configFile("bad-duration.toml", echoConfig(backend, "soon"));
        DaemonProcess rejected2 = cleanup.track(DaemonProcess.start("--check-config", "--config", badDuration.toString()));
        assertEquals(1, rejected2.awaitExit(EXIT_TIMEOUT), "exit code of --check-config on a bad duration"
                + rejected2.output());
        assertTrue(rejected2.stderrLines().stream().anyMatch(l -> l.contains("shutdown_grace")),
                "stderr names the bad key" + rejected2.output());
    }

    @Test
    void readBuffersTheJvmCannotHoldAreRefusedInOneLineByCheckAndStart() throws Exception {
        InetSocketAddress backend = DeadPort.allocate();
        // 256 loops x 16 MiB = 4 GiB of direct memory, against the 256 MiB these test JVMs allow.
        Path huge = configFile("huge.toml", echoConfig(backend, "1s").replace("workers = 2",
                "workers = 256\nbuffer_size = \"16MiB\""));
        for (String[] args : new String[][] {{"--check-config", "--config", huge.toString()},
            {"--config", huge.toString()}}) {
            DaemonProcess rejected = cleanup.track(DaemonProcess.start(args));
            assertEquals(1, rejected.awaitExit(EXIT_TIMEOUT), String.join(" ", args) + rejected.output());
            assertEquals(1, rejected.stderrLines().size(), "one line, no stack trace" + rejected.output());
            assertTrue(rejected.stderr().contains("daemon.buffer_size: 256 event loop(s) x 16384 KiB read buffers"),
                    rejected.output());
        }
    }

    @Test
    void aBufferPoolBoundTheJvmCannotHonourIsRefusedInOneLineByCheckAndStart() throws Exception {
        InetSocketAddress backend = DeadPort.allocate();
        // Started once: pools grow on demand. Near the JVM's cap, allocateDirect would stall a loop in a full GC.
        Path huge = configFile("huge-pool.toml", echoConfig(backend, "1s").replace("workers = 2",
                "workers = 2\nbuffer_pool_max = \"1000GiB\""));
        for (String[] args : new String[][] {{"--check-config", "--config", huge.toString()},
            {"--config", huge.toString()}}) {
            DaemonProcess rejected = cleanup.track(DaemonProcess.start(args));
            assertEquals(1, rejected.awaitExit(EXIT_TIMEOUT), String.join(" ", args) + rejected.output());
            assertEquals(1, rejected.stderrLines().size(), "one line, no stack trace" + rejected.output());
            assertTrue(rejected.stderr().contains("daemon.buffer_pool_max: 2 event loop(s) x 1024000 MiB plus read "
                    + "buffers need 2048000 MiB of direct memory, over the 256 MiB this JVM allows"), rejected.output());
        }
    }

    @Test
    void whatStartUpNeedsOfTheHostIsCheckedByCheckConfigWithTheKeyPath() throws Exception {
        InetSocketAddress backend = DeadPort.allocate();
        Path notADirectory = configFile("plain-file", "");
        String base = echoConfig(backend, "1s");
        String[][] cases = {
            {base.replaceFirst("admin_socket = \"[^\"]*\"", "admin_socket = \"" + dir.resolve("missing/admin.sock") + "\""),
                "lb-daemon: daemon.admin_socket: directory " + dir.resolve("missing") + " does not exist"},
            {base.replace("[daemon]", "[daemon]\nadmin_socket_group = \"no-such-group-lb\""),
                "lb-daemon: daemon.admin_socket_group: no group \"no-such-group-lb\" on this host"},
            {base.replace("[daemon]", "[daemon]\nstate_file = \"" + dir.resolve("gone/state.json") + "\""),
                "lb-daemon: daemon.state_file: directory " + dir.resolve("gone") + " does not exist"},
            {base.replace("[daemon]", "[daemon]\nstate_file = \"" + notADirectory.resolve("state.json") + "\""),
                "lb-daemon: daemon.state_file: " + notADirectory + " is not a directory"},
        };
        for (String[] c : cases) {
            Path file = configFile("host.toml", c[0]);
            for (String[] args : new String[][] {{"--check-config", "--config", file.toString()},
                {"--config", file.toString()}}) {
                DaemonProcess rejected = cleanup.track(DaemonProcess.start(args));
                assertEquals(1, rejected.awaitExit(EXIT_TIMEOUT), String.join(" ", args) + rejected.output());
                assertTrue(rejected.stderrLines().stream().anyMatch(l -> l.startsWith(c[1])), c[1] + rejected.output());
                assertFalse(rejected.stderr().contains("\tat "), "no stack trace" + rejected.output());
            }
        }
    }

    @Test
    void aProblemFoundAfterParsingNamesItsLine() throws Exception {
        InetSocketAddress backend = DeadPort.allocate();
        String toml = echoConfig(backend, "1s").replace("workers = 2", "worker = 2");
        int line = java.util.Arrays.asList(toml.split("\n")).indexOf("worker = 2") + 1;
        Path file = configFile("typo.toml", toml);
        DaemonProcess rejected = cleanup.track(DaemonProcess.start("--check-config", "--config", file.toString()));
        assertEquals(1, rejected.awaitExit(EXIT_TIMEOUT), rejected.output());
        assertTrue(rejected.stderrLines().stream().anyMatch(l -> l.startsWith("lb-daemon: daemon.worker: unknown key, "
                + "did you mean workers?") && l.endsWith("(line " + line + ")")), rejected.output());
    }

    @Test
    void underSystemdEachLineCarriesItsJournalPriority() throws Exception {
        InetSocketAddress dead = DeadPort.allocate();
        DaemonProcess daemon = cleanup.track(DaemonProcess.startWithEnvironment(java.util.Map.of("JOURNAL_STREAM", "8:1"),
                "--listen", "127.0.0.1:0", "--backends", hostPort(dead), "--no-access-log"));
        daemon.awaitLine(DaemonProcess.READY_LINE, EXIT_TIMEOUT);
        InetSocketAddress listener = daemon.awaitListener("default", EXIT_TIMEOUT);
        try (java.net.Socket client = new java.net.Socket(listener.getAddress(), listener.getPort())) {
            client.setSoTimeout(10_000);
            assertEquals(-1, client.getInputStream().read(), "closed: the only backend refuses");
        }
        Await.until(() -> daemon.stderrLines().stream().anyMatch(l -> l.startsWith("<4>[") && l.contains(" WARN ")),
                EXIT_TIMEOUT, () -> "a warning with priority 4" + daemon.output());
        assertTrue(daemon.stderrLines().stream().anyMatch(l -> l.startsWith("<6>[main] INFO lb.Daemon - ")
                && l.contains(" ready: ")), "info, without our timestamp (journald stamps it)" + daemon.output());
        assertFalse(daemon.stderrLines().stream().anyMatch(l -> !l.matches("<[3-7]>.*")), "every line" + daemon.output());
    }

    @Test
    void listenOnABusyPortExitsOneWithOneLineNamingTheAddress() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + busy.getLocalPort();
            DaemonProcess daemon = cleanup.track(DaemonProcess.start("--listen", address, "--backends",
                    hostPort(DeadPort.allocate()), "--no-access-log"));
            assertEquals(1, daemon.awaitExit(EXIT_TIMEOUT), "exit code when the port is taken" + daemon.output());
            List<String> stderr = daemon.stderrLines();
            assertEquals(1, stderr.stream().filter(l -> l.contains(address)).count(),
                    "stderr lines naming " + address + daemon.output());
            assertFalse(stderr.stream().anyMatch(l -> l.startsWith("\tat ") || l.contains("Exception in thread")),
                    "no stack trace" + daemon.output());
        }
    }

    @Test
    void versionPrintsTheVersionAndExitsZero() throws Exception {
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--version"));
        assertEquals(0, daemon.awaitExit(EXIT_TIMEOUT), "exit code of --version" + daemon.output());
        assertTrue(daemon.stdoutLines().stream().anyMatch(l -> l.contains("lb-daemon")), "version line" + daemon.output());
    }

    @Test
    void noModeIsAUsageErrorWithExitCodeTwo() throws Exception {
        DaemonProcess daemon = cleanup.track(DaemonProcess.start());
        assertEquals(2, daemon.awaitExit(EXIT_TIMEOUT), "exit code without arguments" + daemon.output());
    }

    @Test
    void accessLogHasOneLinePerSessionWithBytesEachWayAndHowItEnded() throws Exception {
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--listen", "127.0.0.1:0", "--backends",
                hostPort(echo.address())));
        InetSocketAddress listener = daemon.awaitListener("default", START_TIMEOUT);
        byte[] payload = Payload.random(11, 12_345);
        int clientPort;
        try (Client client = Client.connect(listener)) {
            clientPort = client.socket().getLocalPort();
            client.send(payload);
            assertArrayEquals(Payload.sha256(payload), Payload.sha256(client.readExactly(payload.length)), "echoed");
            client.shutdownOutput();
            assertEquals(Client.End.EOF, client.awaitEnd(), "how the session ended for the client");
        }
        Matcher line = daemon.awaitLine(Pattern.compile("lb\\.access - client=127\\.0\\.0\\.1:" + clientPort
                + " listener=(\\S+) backend=(\\S+) up=(\\d+) down=(\\d+) ms=(\\d+) tries=(\\d+) end=(\\S+) id=(\\d+)$"), EXIT_TIMEOUT);
        assertEquals("default", line.group(1), "listener" + daemon.output());
        assertEquals("b1", line.group(2), "backend (named b1.. in --backends order)" + daemon.output());
        assertEquals(String.valueOf(payload.length), line.group(3), "bytes up" + daemon.output());
        assertEquals(String.valueOf(payload.length), line.group(4), "bytes down" + daemon.output());
        assertEquals("1", line.group(6), "connect attempts" + daemon.output());
        assertEquals("completed", line.group(7), "end" + daemon.output());
    }

    @Test
    void noAccessLogWritesNoAccessLine() throws Exception {
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--listen", "127.0.0.1:0", "--backends",
                hostPort(echo.address()), "--no-access-log"));
        InetSocketAddress listener = daemon.awaitListener("default", START_TIMEOUT);
        try (Client client = Client.connect(listener)) {
            client.send(new byte[] {42});
            assertArrayEquals(new byte[] {42}, client.readExactly(1), "echoed");
        }
        Await.until(() -> echo.open() == 0, Duration.ofSeconds(5), "the session's backend connection is still open");
        daemon.terminate();
        assertEquals(0, daemon.awaitExit(EXIT_TIMEOUT), "exit code after SIGTERM" + daemon.output());
        assertFalse(daemon.stderrLines().stream().anyMatch(l -> l.contains("lb.access")), "access lines" + daemon.output());
    }

    @Test
    void helpListsTheOptionsAndExitsZero() throws Exception {
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--help"));
        assertEquals(0, daemon.awaitExit(EXIT_TIMEOUT), "exit code of --help" + daemon.output());
        String out = String.join("\n", daemon.stdoutLines());
        for (String option : List.of("--config", "--check-config", "--listen", "--backends", "--algorithm", "--demo")) {
            assertTrue(out.contains(option), "--help mentions " + option + daemon.output());
        }
    }

    @Test
    void adminSocketAnswersStatusRefusesASecondDaemonAndIsRemovedOnExit() throws Exception {
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        Path config = configFile("lb.toml", echoConfig(echo.address(), "1s"));
        Path socket = dir.resolve("admin.sock");
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--config", config.toString()));
        daemon.awaitLine(DaemonProcess.READY_LINE, START_TIMEOUT);
        assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(socket)), "admin socket mode");

        String status = AdminClient.call(socket, "{\"cmd\":\"status\"}");
        assertTrue(status.startsWith("{\"ok\":true") && status.contains("\"name\":\"echo-1\"")
                && status.contains("\"address\":\"" + hostPort(echo.address()) + "\""), status);

        DaemonProcess second = cleanup.track(DaemonProcess.start("--config", config.toString()));
        assertEquals(1, second.awaitExit(EXIT_TIMEOUT), "a second daemon on the same admin socket" + second.output());
        assertTrue(second.stderrLines().stream().anyMatch(l -> l.contains("admin socket " + socket + " is in use")),
                second.output());

        daemon.terminate();
        assertEquals(0, daemon.awaitExit(EXIT_TIMEOUT), daemon.output());
        assertFalse(Files.exists(socket), "admin socket left behind after a clean exit");
    }

    @Test
    void reloadAppliesPoolAndListenerChangesRefusesABrokenFileAndSighupReloadsToo() throws Exception {
        EchoBackend one = cleanup.track(EchoBackend.start("one"));
        EchoBackend two = cleanup.track(EchoBackend.start("two"));
        String original = echoConfig(one.address(), "1s");
        Path config = configFile("lb.toml", original);
        Path socket = dir.resolve("admin.sock");
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--config", config.toString()));
        daemon.awaitLine(DaemonProcess.READY_LINE, START_TIMEOUT);

        String withTwo = original.replace("weight = 1", "weight = 3") + """

                [[pool.backend]]
                name = "echo-2"
                address = "%s"
                """.formatted(hostPort(two.address()));
        Files.writeString(config, withTwo);
        String reply = AdminClient.call(socket, "{\"cmd\":\"reload\"}");
        assertEquals("{\"ok\":true,\"result\":{\"changes\":[\"pool echo: backend echo-1 weight 1 -> 3\","
                + "\"pool echo: added backend echo-2\"]}}", reply);
        String status = AdminClient.call(socket, "{\"cmd\":\"status\"}");
        assertTrue(status.contains("\"name\":\"echo-2\"") && status.contains("\"weight\":3"), status);

        Files.writeString(config, withTwo.replace("retries = 1", "retries = 99"));
        String refused = AdminClient.call(socket, "{\"cmd\":\"reload\"}");
        assertTrue(refused.startsWith("{\"ok\":false,\"error\":\"invalid config ") && refused.contains("retries"),
                refused);
        // A port another socket holds: the bind fails, so the whole reload is refused.
        Files.writeString(config, withTwo.replace("bind = \"127.0.0.1:0\"", "bind = \"" + hostPort(one.address()) + "\"")
                .replace("weight = 3", "weight = 5"));
        String busy = AdminClient.call(socket, "{\"cmd\":\"reload\"}");
        assertTrue(busy.startsWith("{\"ok\":false") && busy.contains("cannot listen on " + hostPort(one.address())), busy);
        String unchanged = AdminClient.call(socket, "{\"cmd\":\"status\"}");
        assertTrue(unchanged.contains("\"name\":\"echo-2\"") && !unchanged.contains("\"weight\":5"), "nothing changed");

        Files.writeString(config, withTwo + """

                [[listener]]
                name = "side"
                bind = "127.0.0.1:0"
                pool = "echo"
                """);
        String added = AdminClient.call(socket, "{\"cmd\":\"reload\"}");
        Matcher port = Pattern.compile("added listener side to 127\\.0\\.0\\.1:(\\d+)")
                .matcher(added);
        assertTrue(port.find(), added);
        InetSocketAddress side = new InetSocketAddress("127.0.0.1", Integer.parseInt(port.group(1)));
        try (Client client = Client.connect(side)) {
            client.send("through side".getBytes(StandardCharsets.US_ASCII));
            assertEquals("through side", new String(client.readExactly(12), StandardCharsets.US_ASCII));
        }

        Files.writeString(config, original);
        Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(daemon.process().pid())).start();
        assertEquals(0, kill.waitFor(), "kill -HUP");
        daemon.awaitLine(Pattern.compile("reloaded .*removed backend echo-2.*removed listener side"),
                Duration.ofSeconds(10));
        assertTrue(daemon.process().isAlive(), "SIGHUP reloads rather than ends the daemon");
        assertFalse(AdminClient.call(socket, "{\"cmd\":\"status\"}").contains("echo-2"), "SIGHUP applied the file");
        assertThrows(java.net.ConnectException.class, () -> Client.connect(side), "the removed listener is unbound");
        daemon.terminate();
        assertEquals(0, daemon.awaitExit(EXIT_TIMEOUT), daemon.output());
    }
}
