package lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.DaemonProcess;
import lb.testing.EchoBackend;
import lb.testing.Payload;

/**
 * Test thread only. A daemon process with {@code access_log} set to a file writes one line per
 * session there, with the session's figures, in JSON that parses or in logfmt; after the file was
 * renamed, SIGUSR1 makes it go on in a fresh file at the path, and no line is lost on the way; the
 * shipped logrotate rule does that to a running daemon.
 */
class AccessLogFileProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern LOGFMT = Pattern.compile("time=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z "
            + "client=127\\.0\\.0\\.1:(\\d+) listener=web backend=a up=(\\d+) down=(\\d+) ms=\\d+ tries=1 end=completed id=(\\d+)");

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private DaemonProcess start(EchoBackend backend, Path log, String format) throws Exception {
        Path config = Files.writeString(dir.resolve("lb.toml"), config(backend, log.toString(), format));
        return cleanup.track(DaemonProcess.start("--config", config.toString()));
    }

    private static String config(EchoBackend backend, String log, String format) {
        return """
                [daemon]
                workers = 2
                admin_socket = ""
                access_log = "%s"
                access_log_format = "%s"
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                [[pool.backend]]
                name = "a"
                address = "127.0.0.1:%d"
                """.formatted(log, format, backend.address().getPort());
    }

    /** One echo session of {@code size} bytes; returns the client's port (the line's key). */
    private static int session(InetSocketAddress address, int size, long seed) throws Exception {
        byte[] payload = Payload.random(seed, size);
        try (Client client = Client.connect(address)) {
            client.send(payload);
            client.shutdownOutput();
            assertEquals(size, client.readToEnd(size + 1).length, "echoed");
            return client.socket().getLocalPort();
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void jsonLinesParseAndCarryEachSessionsFigures() throws Exception {
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        Path log = dir.resolve("access.log");
        DaemonProcess daemon = start(echo, log, "json");
        InetSocketAddress address = daemon.awaitListener("web", WAIT);
        int sessions = 25;
        Map<Integer, Integer> sizeByPort = new HashMap<>();
        for (int i = 0; i < sessions; i++) {
            int size = 100 + 997 * i;
            sizeByPort.put(session(address, size, i), size);
        }
        Await.until(() -> lines(log).size() == sessions, WAIT, () -> "lines: " + lines(log) + daemon.output());
        Set<Integer> seen = new HashSet<>();
        for (String line : lines(log)) {
            Map<?, ?> entry = new Yaml().load(line);
            assertEquals(List.of("time", "client", "listener", "backend", "up", "down", "ms", "tries", "end", "id"),
                    new ArrayList<>(entry.keySet()), line);
            assertTrue(((Number) entry.get("id")).longValue() > 0, "the session's id: " + line);
            String client = (String) entry.get("client");
            assertTrue(client.startsWith("127.0.0.1:"), line);
            int port = Integer.parseInt(client.substring("127.0.0.1:".length()));
            assertTrue(seen.add(port), "one line per session: " + line);
            Integer size = sizeByPort.get(port);
            assertEquals(size, entry.get("up"), "bytes up, a JSON number: " + line);
            assertEquals(size, entry.get("down"), "bytes down: " + line);
            assertEquals("web", entry.get("listener"));
            assertEquals("a", entry.get("backend"));
            assertEquals(1, entry.get("tries"));
            assertEquals("completed", entry.get("end"));
            assertTrue(((String) entry.get("time")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), line);
        }
        assertEquals(sizeByPort.keySet(), seen);
        assertTrue(daemon.stderrLines().stream().noneMatch(l -> l.contains("lb.access")), "nothing on the journal"
                + daemon.output());
        assertEquals("rw-r-----", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(log)), "client addresses are not for every user");
    }

    @Test
    void sigusr1AfterARenameGoesOnInAFreshFileAndLosesNoLine() throws Exception {
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        Path log = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        DaemonProcess daemon = start(echo, log, "logfmt");
        InetSocketAddress address = daemon.awaitListener("web", WAIT);
        Set<Integer> written = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            written.add(session(address, 1_000, i));
        }
        Await.until(() -> lines(log).size() == 10, WAIT, () -> "lines: " + lines(log) + daemon.output());
        Files.move(log, rotated); // logrotate's rename; the daemon still holds the file open
        Set<Integer> around = new HashSet<>();
        for (int i = 10; i < 20; i++) {
            around.add(session(address, 1_000, i)); // between the rename and the signal: in either file
        }
        Process kill = new ProcessBuilder("kill", "-USR1", String.valueOf(daemon.process().pid())).start();
        assertEquals(0, kill.waitFor(), "kill -USR1");
        Await.until(() -> Files.exists(log), WAIT, () -> "a fresh file at the path" + daemon.output());
        Set<Integer> after = new HashSet<>();
        for (int i = 20; i < 35; i++) {
            after.add(session(address, 1_000, i));
        }
        Await.until(() -> lines(rotated).size() + lines(log).size() == 35, WAIT,
                () -> "every line: " + lines(rotated) + " " + lines(log) + daemon.output());
        Set<Integer> old = ports(lines(rotated));
        Set<Integer> fresh = ports(lines(log));
        assertTrue(old.containsAll(written), "the lines written before the rename stay in the renamed file");
        assertTrue(fresh.containsAll(after), "every session after the signal, in the fresh file");
        Set<Integer> all = new HashSet<>(old);
        all.addAll(fresh);
        assertEquals(35, all.size(), "no line lost or written twice: " + old + " " + fresh);
        assertTrue(all.containsAll(around), "the sessions around the rotation are in one file or the other");
        assertTrue(daemon.process().isAlive(), "SIGUSR1 does not end the daemon");
        daemon.terminate();
        assertEquals(0, daemon.awaitExit(WAIT), "exit code after SIGTERM" + daemon.output());
        assertEquals(fresh, ports(lines(log)), "no line written late");
    }

    @Test
    void checkConfigNamesABadAccessLogWithItsKeyAndLine() throws Exception {
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        Path missingDir = dir.resolve("no-such-dir");
        String[][] cases = {
            {"access.log", "logfmt", "lb-daemon: daemon.access_log: \"access.log\" is not an absolute file path "
                + "(allowed: \"journal\", \"off\", or an absolute file path such as \"/var/log/lb/access.log\") (line 4)"},
            {dir.resolve("a.log").toString(), "csv", "lb-daemon: daemon.access_log_format: \"csv\" is not a format "
                + "(allowed: \"logfmt\", \"json\") (line 5)"},
            {missingDir.resolve("access.log").toString(), "json", "lb-daemon: daemon.access_log: directory " + missingDir
                + " does not exist (create it, or access_log = \"journal\")"},
        };
        for (String[] c : cases) {
            Files.writeString(dir.resolve("lb.toml"), config(echo, c[0], c[1]));
            DaemonProcess check = cleanup.track(DaemonProcess.start("--check-config", "--config",
                    dir.resolve("lb.toml").toString()));
            assertEquals(1, check.awaitExit(WAIT), check.output());
            assertEquals(List.of(c[2]), check.stderrLines(), check.output());
        }
        Files.writeString(dir.resolve("lb.toml"), config(echo, dir.resolve("a.log").toString(), "json"));
        DaemonProcess ok = cleanup.track(DaemonProcess.start("--check-config", "--config",
                dir.resolve("lb.toml").toString()));
        assertEquals(0, ok.awaitExit(WAIT), ok.output());
        assertTrue(Files.notExists(dir.resolve("a.log")), "a check creates no file");
    }

    /** conf/logrotate.d/lb, from the working directory or a parent (the build runs in lb-daemon/). */
    private static Path repoFile(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(relative))) {
                return d.resolve(relative);
            }
        }
        throw new AssertionError(relative + " not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void theShippedLogrotateRuleRotatesARunningDaemonsLogWithoutLosingALine() throws Exception {
        Path logrotate = Path.of("/usr/sbin/logrotate");
        assumeTrue(Files.isExecutable(logrotate), "needs logrotate");
        String rule = Files.readString(repoFile("conf/logrotate.d/lb"));
        String signal = "systemctl kill -s USR1 --kill-who=main lb-daemon.service";
        assertTrue(rule.contains(signal), "postrotate signals the main process of the unit:\n" + rule);
        assertTrue(Files.isRegularFile(repoFile("systemd/lb-daemon.service")), "the unit the rule names");
        assertTrue(Files.readString(repoFile("systemd/lb-daemon.service")).contains("\nLogsDirectory=lb\n"),
                "the unit makes /var/log/lb");
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        Path logs = Files.createDirectory(dir.resolve("logs"));
        Path log = logs.resolve("access.log");
        DaemonProcess daemon = start(echo, log, "logfmt");
        InetSocketAddress address = daemon.awaitListener("web", WAIT);
        Set<Integer> before = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            before.add(session(address, 1_000, i));
        }
        Await.until(() -> lines(log).size() == 5, WAIT, () -> "lines: " + lines(log) + daemon.output());
        // The shipped rule, pointed at this test's directory, its daemon and its user.
        Path conf = Files.writeString(dir.resolve("logrotate.conf"), rule.replace("/var/log/lb/", logs + "/")
                .replace("create 0640 lb lb", "create 0640").replace(signal, "kill -USR1 " + daemon.process().pid()));
        Process run = new ProcessBuilder(logrotate.toString(), "-f", "-s", dir.resolve("state").toString(),
                conf.toString()).redirectErrorStream(true).start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, run.waitFor(), "logrotate: " + out);
        Path rotated = logs.resolve("access.log.1");
        assertTrue(Files.exists(rotated), "renamed, not yet compressed (delaycompress): " + out);
        Await.until(() -> daemon.stderrLines().stream().anyMatch(l -> l.contains("SIGUSR1 received: reopening")),
                WAIT, () -> "the signal" + daemon.output());
        // logrotate made the fresh file itself (create): a line in it shows the daemon writes there now.
        Set<Integer> around = new HashSet<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (int i = 5; lines(log).isEmpty(); i++) {
            assertTrue(System.nanoTime() < deadline, "no line in the fresh file" + daemon.output());
            around.add(session(address, 1_000, i));
            Thread.onSpinWait();
        }
        Set<Integer> after = new HashSet<>();
        for (int i = 1_000; i < 1_005; i++) {
            after.add(session(address, 1_000, i));
        }
        int total = before.size() + around.size() + after.size();
        Await.until(() -> lines(rotated).size() + lines(log).size() == total, WAIT,
                () -> "every line: " + lines(rotated) + " " + lines(log) + daemon.output());
        Set<Integer> old = ports(lines(rotated));
        Set<Integer> fresh = ports(lines(log));
        assertTrue(old.containsAll(before), "the lines from before the rotation stay in the rotated file");
        assertTrue(fresh.containsAll(after), "the lines after it, in the fresh file");
        Set<Integer> all = new HashSet<>(old);
        all.addAll(fresh);
        assertEquals(total, all.size(), "no line lost or written twice: " + old + " " + fresh);
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
    }

    private static Set<Integer> ports(List<String> lines) {
        Set<Integer> ports = new HashSet<>();
        for (String line : lines) {
            Matcher m = LOGFMT.matcher(line);
            assertTrue(m.matches(), "logfmt line: " + line);
            assertEquals("1000", m.group(2), line);
            assertEquals("1000", m.group(3), line);
            assertTrue(ports.add(Integer.parseInt(m.group(1))), "one line per session: " + line);
        }
        return ports;
    }
}
