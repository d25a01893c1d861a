package lb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lb.Daemon;
import lb.config.ConfigLoader;
import lb.protocol.Version;
import picocli.CommandLine;

/** Test thread only. lb-cli's commands against a real daemon's admin socket, and its exit codes. */
class AdminCommandsTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private ServerSocket backend;
    private Daemon daemon;
    private int standIns;
    private volatile String received;

    private int run(String... args) {
        CommandLine cli = LbCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path startDaemon() throws Exception {
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Path socket = dir.resolve("admin.sock");
        daemon = Daemon.start(ConfigLoader.parse(configText(socket), Optional.empty()));
        return socket;
    }

    /** As {@link #startDaemon()}, but read from a file, as reload and diff need. */
    private Path startDaemonFromFile(Path file) throws Exception {
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Path socket = dir.resolve("admin.sock");
        Files.writeString(file, configText(socket));
        daemon = Daemon.start(ConfigLoader.load(file));
        return socket;
    }

    /** With an echo backend instead of one that never answers: sessions end when clients close. */
    private Path startDaemonOn(lb.testing.EchoBackend echo) throws Exception {
        Path socket = dir.resolve("admin.sock");
        daemon = Daemon.start(ConfigLoader.parse(configText(socket, echo.address().getPort()), Optional.empty()));
        return socket;
    }

    private String configText(Path socket) {
        return configText(socket, backend.getLocalPort());
    }

    private String configText(Path socket, int backendPort) {
        return """
                [daemon]
                workers = 1
                admin_socket = "%s"
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                algorithm = "maglev"
                [[pool.backend]]
                name = "web-1"
                address = "127.0.0.1:%d"
                weight = 3
                """.formatted(socket, backendPort);
    }

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void statusPrintsListenersPoolsAndBackendsInColumns() throws Exception {
        Path socket = startDaemon();
        assertEquals(0, run("--socket", socket.toString(), "status"), err.toString());
        String text = out.toString();
        assertTrue(text.startsWith("lb-daemon " + Version.text() + ", up "), text);
        assertTrue(text.contains("pool web (maglev)"), text);
        assertTrue(text.matches("(?s).*\\nweb-1 +127\\.0\\.0\\.1:" + backend.getLocalPort()
                + " +3 +3\\.0 +active +up +no +0 +0\\n.*"), text);
        assertTrue(text.matches("(?s).*LISTENER +BIND +POOL +ACTIVE +ACCEPTING\\nweb +127\\.0\\.0\\.1:\\d+ +web +0 +yes\\n.*"), text);
    }

    @Test
    void jsonPrintsTheDaemonsReply() throws Exception {
        Path socket = startDaemon();
        assertEquals(0, run("--socket", socket.toString(), "--json", "version"), err.toString());
        assertEquals("{\"ok\":true,\"result\":{\"version\":\"" + Version.text() + "\"}}\n", out.toString());
    }

    @Test
    void versionPrintsTheDaemonsVersion() throws Exception {
        Path socket = startDaemon();
        assertEquals(0, run("--socket", socket.toString(), "version"), err.toString());
        assertEquals(Version.text() + "\n", out.toString());
    }

    @Test
    void noDaemonIsExitCode3NamingTheSocketAndWhatToTry() {
        Path socket = dir.resolve("nobody.sock");
        assertEquals(3, run("--socket", socket.toString(), "status"));
        assertTrue(err.toString().startsWith("lb-cli: cannot reach lb-daemon at " + socket + ": "), err.toString());
        assertTrue(err.toString().contains("systemctl status lb-daemon"), err.toString());
    }

    /**
     * Runs lb-cli against a stand-in daemon that reads one request line into {@link #received} and
     * answers {@code replyLine}: for replies the daemon does not give on demand.
     */
    private int runAgainst(String replyLine, String... args) throws Exception {
        Path socket = dir.resolve("stand-in-" + standIns++ + ".sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread answer = new Thread(() -> {
                try (SocketChannel c = server.accept()) {
                    StringBuilder line = new StringBuilder();
                    ByteBuffer b = ByteBuffer.allocate(1);
                    while (c.read(b.clear()) > 0 && b.get(0) != '\n') {
                        line.append((char) b.get(0));
                    }
                    received = line.toString();
                    c.write(ByteBuffer.wrap((replyLine + "\n").getBytes(StandardCharsets.UTF_8)));
                } catch (Exception ignored) {
                    // the test fails on the exit code instead
                }
            });
            answer.start();
            String[] all = new String[args.length + 2];
            all[0] = "--socket";
            all[1] = socket.toString();
            System.arraycopy(args, 0, all, 2, args.length);
            int exit = run(all);
            answer.join(5_000);
            return exit;
        }
    }

    @Test
    void refusedByTheDaemonIsExitCode1WithItsMessage() throws Exception {
        assertEquals(1, runAgainst("{\"ok\":false,\"error\":\"no such backend\"}", "status"));
        assertEquals("lb-cli: the daemon refused: no such backend\n", err.toString());
    }

    @Test
    void anErrorCodeBesideTheMessageChangesNothingPrinted() throws Exception {
        assertEquals(1, runAgainst("{\"ok\":false,\"error\":\"no backend named \\\"nope\\\"\",\"code\":\"not_found\"}",
                "drain", "web/nope"));
        assertEquals("lb-cli: the daemon refused: no backend named \"nope\"\n", err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void jsonPrintsTheReplyLineAsReceived() throws Exception {
        String line = "{\"ok\": true, \"result\": {\"version\": \"9.9\", \"extra\": 1.50}}";
        assertEquals(0, runAgainst(line, "--json", "version"), err.toString());
        assertEquals(line + "\n", out.toString());
    }

    @Test
    void explainWithoutABackendInTheReplySaysNoneIsEligible() throws Exception {
        assertEquals(0, runAgainst("{\"ok\":true,\"result\":{\"listener\":\"web\",\"pool\":\"web\",\"algorithm\":\"maglev\","
                + "\"ineligible\":[\"web-1 (draining)\"],\"deterministic\":true,\"hash_key\":\"client_ip\","
                + "\"hash\":\"00000000000000ff\",\"table_slot\":255,\"hash_fallback\":\"next\"}}",
                "explain", "203.0.113.7"), err.toString());
        assertEquals("""
                listener web -> pool web (maglev)
                backend: none (no eligible backend)
                hash of client_ip: 00000000000000ff, Maglev table slot 255; hash_fallback next
                ineligible: web-1 (draining)
                """, out.toString());
    }

    @Test
    void aReplyOfAnotherShapeIsUnreadableExitCode3() throws Exception {
        assertEquals(3, runAgainst("{\"ok\":true,\"result\":{\"version\":7}}", "version"));
        assertTrue(err.toString().startsWith("lb-cli: cannot read lb-daemon's reply to version: "), err.toString());
    }

    @Test
    void drainSendsTheSameLineAsItAlwaysHas() throws Exception {
        String reply = "{\"ok\":true,\"result\":{\"target\":\"web/web-1\",\"admin_state\":\"draining\",\"weight\":3,"
                + "\"active_sessions\":0,\"drained\":true,\"waited_ms\":0}}";
        assertEquals(0, runAgainst(reply, "drain", "web/web-1", "--wait", "--deadline", "2s", "--then", "close"),
                err.toString());
        String pid = ",\"client_pid\":" + ProcessHandle.current().pid() + "}"; // for the daemon's audit log
        assertEquals("{\"cmd\":\"drain\",\"target\":\"web/web-1\",\"wait\":true,\"deadline_ms\":2000,\"then\":\"close\""
                + pid, received);
        assertEquals(0, runAgainst(reply, "drain", "web/web-1"), err.toString());
        assertEquals("{\"cmd\":\"drain\",\"target\":\"web/web-1\"" + pid, received);
        assertEquals(2, run("--socket", dir.resolve("none.sock").toString(), "drain", "web/web-1", "--wait",
                "--then", "later"));
        assertTrue(err.toString().contains("--then: \"later\" is not keep, close or remove"), err.toString());
    }

    @Test
    void silentDaemonTimesOutAsUnreachable() throws Exception {
        Path socket = dir.resolve("silent.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            assertEquals(3, run("--socket", socket.toString(), "--timeout", "1", "status"));
        }
        assertTrue(err.toString().contains("no reply within 1000 ms"), err.toString());
    }

    @Test
    void drainWeightAndEnableChangeTheBackend() throws Exception {
        Path socket = startDaemon();
        assertEquals(0, run("--socket", socket.toString(), "drain", "web/web-1"), err.toString());
        assertEquals("web/web-1: draining, weight 3, 0 active session(s)\n", out.toString());
        assertEquals(0, run("--socket", socket.toString(), "weight", "web/web-1", "7"), err.toString());
        assertTrue(out.toString().endsWith("web/web-1: draining, weight 7, 0 active session(s)\n"), out.toString());
        assertEquals(0, run("--socket", socket.toString(), "undrain", "web/web-1"), err.toString());
        assertTrue(out.toString().endsWith("web/web-1: active, weight 7, 0 active session(s)\n"), out.toString());
        assertEquals(1, run("--socket", socket.toString(), "drain", "web/nope"));
        assertEquals("lb-cli: the daemon refused: no backend named \"nope\" in pool web (backends: web-1)\n",
                err.toString());
        assertEquals(2, run("--socket", socket.toString(), "weight", "web/web-1"), "missing WEIGHT: usage error");
        out.getBuffer().setLength(0);
        assertEquals(0, run("--socket", socket.toString(), "drain", "web/web-1", "--wait", "--deadline", "5s", "--then",
                "remove"), err.toString());
        assertEquals("web/web-1: draining, weight 7, 0 active session(s), drained\nweb/web-1 removed\n", out.toString());
        assertEquals(0, daemon.pool("web").snapshot().size(), "drained in time, so removed at once");
    }

    @Test
    void sessionsPrintsATableAndTheCount() throws Exception {
        Path socket = startDaemon();
        assertEquals(0, run("--socket", socket.toString(), "sessions", "--limit", "5"), err.toString());
        assertEquals("ID  CLIENT  LISTENER  BACKEND  AGE  UP  DOWN\n0 of 0 session(s)\n", out.toString());
    }

    @Test
    void drainWaitPrintsProgressAndTheOutcome() throws Exception {
        Path socket = startDaemon();
        assertEquals(0, run("--socket", socket.toString(), "drain", "web/web-1", "--wait"), err.toString());
        assertEquals("web/web-1: draining, weight 3, 0 active session(s), drained\n", out.toString());
        run("--socket", socket.toString(), "undrain", "web/web-1");

        try (java.net.Socket client = new java.net.Socket()) {
            client.connect(daemon.listenerAddress("web"));
            long deadlineNs = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
            while (daemon.pool("web").snapshot().backend(0).activeSessions() == 0 && System.nanoTime() < deadlineNs) {
                Thread.onSpinWait();
            }
            out.getBuffer().setLength(0);
            assertEquals(4, run("--socket", socket.toString(), "drain", "web/web-1", "--wait", "--deadline", "300ms",
                    "--then", "close"), "sessions were left at the deadline: " + err);
        }
        String text = out.toString();
        assertTrue(text.startsWith("web/web-1: 1 active session(s), oldest "), text);
        assertTrue(text.endsWith("web/web-1: draining, weight 3, 0 active session(s), deadline reached (then close), "
                + "1 closed\n"), text);
        assertEquals(2, run("--socket", socket.toString(), "drain", "web/web-1", "--then", "close"));
        assertTrue(err.toString().contains("--deadline and --then need --wait"), err.toString());
    }

    @Test
    void addAndRemoveABackend() throws Exception {
        Path socket = startDaemon();
        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertEquals(0, run("--socket", socket.toString(), "add", "web", "127.0.0.1:" + other.getLocalPort(),
                    "--weight", "5", "--name", "web-2"), err.toString());
            assertEquals("web/web-2: active, weight 5, 0 active session(s)\n", out.toString());
            assertEquals(2, daemon.pool("web").snapshot().size());
            out.getBuffer().setLength(0);
            assertEquals(0, run("--socket", socket.toString(), "remove", "web/web-2"), err.toString());
            assertTrue(out.toString().endsWith("web/web-2 removed\n"), out.toString());
            assertEquals(1, daemon.pool("web").snapshot().size());
        }
    }

    @Test
    void diffShowsRuntimeChangesAndFileEditsNotReloadedYet() throws Exception {
        Path file = dir.resolve("lb.toml");
        Path socket = startDaemonFromFile(file);
        assertEquals(0, run("--socket", socket.toString(), "weight", "web/web-1", "5"));
        Files.writeString(file, Files.readString(file).replace("maglev", "ring_hash"));
        out.getBuffer().setLength(0);
        assertEquals(1, run("--socket", socket.toString(), "diff"), "differences, as diff(1): " + err);
        assertEquals("""
                Runtime changes (over %s):
                  TARGET     KEY     LIVE  CONFIG
                  web/web-1  weight  5     3
                File edits not reloaded yet:
                  pool web: algorithm maglev -> ring_hash
                """.formatted(file), out.toString());

        Files.writeString(file, Files.readString(file).replace("ring_hash", "no_such_algorithm"));
        out.getBuffer().setLength(0);
        assertEquals(1, run("--socket", socket.toString(), "diff"), err.toString());
        assertTrue(out.toString().contains("File edits not reloaded yet:\n  a reload would be refused: invalid config "),
                out.toString());
    }

    @Test
    void diffWithNothingDifferentExits0() throws Exception {
        Path file = dir.resolve("lb.toml");
        Path socket = startDaemonFromFile(file);
        assertEquals(0, run("--socket", socket.toString(), "diff"), err.toString());
        assertTrue(out.toString().contains("Runtime changes (over " + file + "):\n  none\nFile edits not reloaded yet:\n"
                + "  none\n"), out.toString());
        assertEquals(0, run("--socket", socket.toString(), "--json", "diff"), "--json, the same: " + err);
    }

    @Test
    void aChangeTheStateFileCannotKeepIsAWarningExit5AndShowsInStatus() throws Exception {
        // A state file whose directory is then replaced by a regular file: no write can succeed, even as root.
        Path stateDir = Files.createDirectory(dir.resolve("state"));
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Path socket = dir.resolve("admin.sock");
        daemon = Daemon.start(ConfigLoader.parse(configText(socket).replace("[daemon]\n",
                "[daemon]\nstate_file = \"" + stateDir.resolve("lb.state") + "\"\n"), Optional.empty()));
        assertEquals(0, run("--socket", socket.toString(), "weight", "web/web-1", "4"), err.toString());
        assertEquals(0, run("--socket", socket.toString(), "status"), err.toString());
        assertTrue(!out.toString().contains("STATE FILE"), out.toString());

        try (var files = Files.list(stateDir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(stateDir);
        Files.writeString(stateDir, "not a directory");
        out.getBuffer().setLength(0);
        assertEquals(5, run("--socket", socket.toString(), "weight", "web/web-1", "5"), err.toString());
        assertTrue(out.toString().contains("web/web-1: active, weight 5"), "the change itself stands: " + out);
        assertTrue(err.toString().startsWith("lb-cli: warning: cannot write state file " + stateDir.resolve("lb.state")),
                err.toString());
        err.getBuffer().setLength(0);
        assertEquals(5, run("--socket", socket.toString(), "--json", "drain", "web/web-1"), "with --json too");
        assertTrue(err.toString().contains("cannot write state file"), err.toString());
        out.getBuffer().setLength(0);
        assertEquals(0, run("--socket", socket.toString(), "status"), err.toString());
        assertTrue(out.toString().matches("(?s)lb-daemon [^\n]*\nSTATE FILE NOT WRITTEN since 20\\d\\d-[^\n]*: cannot "
                + "write state file .*"), out.toString());

        Files.delete(stateDir);
        Files.createDirectory(stateDir);
        err.getBuffer().setLength(0);
        assertEquals(0, run("--socket", socket.toString(), "undrain", "web/web-1"), err.toString());
        assertEquals("", err.toString());
        out.getBuffer().setLength(0);
        assertEquals(0, run("--socket", socket.toString(), "status"), err.toString());
        assertTrue(!out.toString().contains("STATE FILE"), "written again: " + out);
    }

    @Test
    void killSessionResetsTheSessionItNamesAndExits6WhenNoneMatched() throws Exception {
        Path socket = startDaemon();
        try (java.net.Socket client = new java.net.Socket()) {
            client.connect(daemon.listenerAddress("web"));
            long deadlineNs = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
            while (daemon.pool("web").snapshot().backend(0).activeSessions() == 0 && System.nanoTime() < deadlineNs) {
                Thread.onSpinWait();
            }
            assertEquals(0, run("--socket", socket.toString(), "sessions"), err.toString());
            java.util.regex.Matcher row = java.util.regex.Pattern.compile("(?m)^(\\d+) +127\\.0\\.0\\.1:"
                    + client.getLocalPort() + " +web +web/web-1 ").matcher(out.toString());
            assertTrue(row.find(), "sessions lists the id first: " + out);
            String id = row.group(1);
            out.getBuffer().setLength(0);
            assertEquals(0, run("--socket", socket.toString(), "kill-session", id), err.toString());
            assertEquals("1 session(s) reset\n", out.toString());
            client.setSoTimeout(5000);
            try {
                assertEquals(-1, client.getInputStream().read(), "the client's connection ends");
            } catch (java.net.SocketException reset) {
                // a reset is the expected end
            }
            assertEquals(6, run("--socket", socket.toString(), "kill-session", id), "gone: nothing matches");
            assertEquals(6, run("--socket", socket.toString(), "kill-session", "--client", "127.0.0.1"));
            assertEquals(2, run("--socket", socket.toString(), "kill-session"), "nothing chosen is a usage error");
            assertEquals(2, run("--socket", socket.toString(), "kill-session", id, "--backend", "web/web-1"));
        }
    }

    @Test
    void infoShowsTheProcessFigures() throws Exception {
        Path socket = startDaemon();
        assertEquals(0, run("--socket", socket.toString(), "info"), err.toString());
        String text = out.toString();
        assertTrue(text.contains("\npid             " + ProcessHandle.current().pid() + "\n"), text);
        var os = (com.sun.management.UnixOperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        assertTrue(text.matches("(?s).*\ndescriptors +\\d+ open of " + os.getMaxFileDescriptorCount() + " .*"), text);
        assertTrue(text.matches("(?s).*\nloop 0 buffers +.* lent of .*\nsessions +0 active, 0 since start\n"), text);
    }

    @Test
    void reloadWithoutAConfigFileIsRefused() throws Exception {
        Path socket = startDaemon(); // built from text, not read from a file
        assertEquals(1, run("--socket", socket.toString(), "reload"));
        assertEquals("lb-cli: the daemon refused: no config file to reload (started with --listen or --demo)\n",
                err.toString());
    }

    @Test
    void previewRemoveOfTheOnlyMaglevBackendMovesEveryClient() throws Exception {
        Path socket = startDaemon();
        assertEquals(0, run("--socket", socket.toString(), "preview-remove", "web/web-1"), err.toString());
        assertEquals("web/web-1 (maglev): 100.00% of clients would move: 100.00% on it, 0.00% of the others\n",
                out.toString());
    }

    @Test
    void explainPrintsTheBackendAndTheHash() throws Exception {
        Path socket = startDaemon();
        assertEquals(0, run("--socket", socket.toString(), "explain", "203.0.113.7"), err.toString());
        String text = out.toString();
        assertTrue(text.startsWith("listener web -> pool web (maglev)\nbackend: web-1\nhash of client_ip: "), text);
        assertTrue(text.contains(", Maglev table slot ") && text.endsWith("ineligible: none\n"), text);
    }

    @Test
    void statsPrintsTrafficTablesAndLatencyPercentiles() throws Exception {
        try (lb.testing.EchoBackend echo = lb.testing.EchoBackend.start("web-1")) {
            statsAfterThreeSessions(startDaemonOn(echo));
        }
    }

    private void statsAfterThreeSessions(Path socket) throws Exception {
        for (int i = 0; i < 3; i++) {
            try (lb.testing.Client c = lb.testing.Client.connect(daemon.listenerAddress("web"))) {
                c.send(new byte[100]);
                c.shutdownOutput();
                assertEquals(100, c.readToEnd(1000).length);
            }
        }
        lb.testing.Await.until(() -> {
            out.getBuffer().setLength(0);
            return run("--socket", socket.toString(), "stats") == 0
                    && out.toString().matches("(?s).*\nweb +0 +3 .*");
        }, java.time.Duration.ofSeconds(10), () -> "three sessions ended: " + out);
        String text = out.toString();
        assertTrue(text.contains("LISTENER  ACTIVE  SESSIONS  NEW/S  UP"), text);
        assertTrue(text.contains("POOL  BACKEND  ACTIVE  SESSIONS  NEW/S  UP"), text);
        assertTrue(text.matches("(?s).*\nweb/web-1 connect +3 +\\d.*"), "three connect times: " + text);
        assertTrue(text.matches("(?s).*\nweb duration +3 +\\d.*"), "three durations: " + text);
        assertTrue(text.contains("0 dropped)"), text);
    }

    @Test
    void topWithoutATerminalPrintsATablePerRefreshWithChangingRates() throws Exception {
        try (lb.testing.EchoBackend echo = lb.testing.EchoBackend.start("web-1")) {
            topWhileSessionsEcho(startDaemonOn(echo));
        }
    }

    private void topWhileSessionsEcho(Path socket) throws Exception {
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread traffic = new Thread(() -> {
            long endNs = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
            while (!stop.get() && System.nanoTime() < endNs) {
                try (lb.testing.Client c = lb.testing.Client.connect(daemon.listenerAddress("web"))) {
                    c.send(new byte[1000]);
                    c.readExactly(1000); // relayed both ways before the next session
                } catch (Exception ignored) {
                    // counted or not, the rates show it
                }
            }
        });
        traffic.start();
        try {
            assertEquals(0, run("--socket", socket.toString(), "top", "--interval", "0.2", "--count", "3"), err.toString());
        } finally {
            stop.set(true);
            traffic.join(10_000);
        }
        String text = out.toString();
        assertEquals(3, text.split("POOL +BACKEND +STATE +HEALTH +ACTIVE +NEW/S +UP/S +DOWN/S +TOTAL", -1).length - 1,
                text);
        assertTrue(text.contains("web   web-1    active  up"), text);
        assertTrue(text.matches("(?s).*web-1 +active +up +\\d+ +[1-9][0-9.]* +[1-9][0-9.]* (B|KiB|MiB)/s +[1-9][0-9.]* "
                + "(B|KiB|MiB)/s +.*"), "non-zero session and byte rates both ways: " + text);
        assertTrue(!text.contains("\u001b["), "no terminal escapes when not on a terminal");
    }
}
