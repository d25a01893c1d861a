package lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.testing.AdminClient;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.DaemonProcess;
import lb.testing.EchoBackend;

/**
 * Test thread only. Causes of log lines that something outside the daemon can repeat at will (an
 * admin script, a SIGHUP loop, a scraper) cost a daemon process at most a line per interval, and
 * the next line says how many it held back: every repeat is either written or counted. The daemon
 * runs with {@code -Dlb.test.logIntervalMs} so that a second line comes within a second.
 */
class RepeatedLogProcessTest {

    private static final Duration START = Duration.ofSeconds(20);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long INTERVAL_MS = 1_000;
    private static final Pattern COUNT = Pattern.compile("\\(and (\\d+) more like it since the last line\\)$");
    private static final Pattern METRICS_LINE = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/");
    private static final Pattern AUDIT = Pattern.compile("audit #\\d+ reload \\S+ (.*) by (.*)$");

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private String config(EchoBackend backend, String stateFile) {
        return """
                [daemon]
                workers = 1
                access_log = false
                admin_socket = "%s"
                state_file = "%s"
                [metrics]
                listen = "127.0.0.1:0"
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                [[pool.backend]]
                name = "a"
                address = "127.0.0.1:%d"
                """.formatted(dir.resolve("admin.sock"), stateFile, backend.address().getPort());
    }

    private DaemonProcess start(String config) throws Exception {
        Path file = dir.resolve("lb.toml");
        Files.writeString(file, config);
        DaemonProcess daemon = cleanup.track(DaemonProcess.startWithJvmOptions(
                List.of("-Dlb.test.logIntervalMs=" + INTERVAL_MS), "--config", file.toString()));
        daemon.awaitLine(DaemonProcess.READY_LINE, START);
        return daemon;
    }

    private String call(String request) throws Exception {
        return AdminClient.call(dir.resolve("admin.sock"), request);
    }

    /** Lines of one cause: each stands for itself and the repeats it counts. */
    private static long repeatsAccountedFor(List<String> lines) {
        long total = 0;
        for (String line : lines) {
            Matcher count = COUNT.matcher(line);
            total += 1 + (count.find() ? Long.parseLong(count.group(1)) : 0);
        }
        return total;
    }

    private static List<String> lines(DaemonProcess daemon, Pattern pattern) {
        return daemon.stderrLines().stream().filter(l -> pattern.matcher(l).find()).toList();
    }

    /**
     * Waits an interval, so that the next repeat is written (with the count of those before). What
     * is awaited is time itself; the daemon's clock and this one are the same monotonic clock.
     */
    private static void awaitNextInterval() {
        long untilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS + 50);
        for (long leftNs; (leftNs = untilNs - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(leftNs);
        }
    }

    /**
     * Waits until the lines matching {@code pattern} account for {@code repeats}, then checks that
     * they account for exactly that many, in at most a line per interval begun since {@code startNs}
     * (plus one), the last with a count.
     */
    private static List<String> awaitAccountedFor(DaemonProcess daemon, Pattern pattern, long repeats, long startNs) {
        Await.until(() -> repeatsAccountedFor(lines(daemon, pattern)) >= repeats, WAIT, () -> "lines for " + repeats
                + " repeats: " + lines(daemon, pattern));
        List<String> lines = lines(daemon, pattern);
        assertEquals(repeats, repeatsAccountedFor(lines), "every repeat written or counted: " + lines);
        assertFewLines(lines, startNs);
        return lines;
    }

    /** At most a line per interval begun during the run, plus one; the last has the count. */
    private static void assertFewLines(List<String> lines, long startNs) {
        long intervals = 1 + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) / INTERVAL_MS;
        assertTrue(lines.size() >= 2 && lines.size() <= intervals + 1, lines.size() + " lines in " + intervals
                + " intervals: " + lines);
        assertTrue(COUNT.matcher(lines.get(lines.size() - 1)).find(), "the last line has a count: " + lines);
    }

    @Test
    void aStateFileThatCannotBeWrittenLogsOncePerIntervalWhileEveryReplySaysSo() throws Exception {
        EchoBackend backend = cleanup.track(EchoBackend.start("a"));
        // Its directory goes away once the daemon runs (the tests run as root, for whom no directory
        // is read-only; a missing one at start is refused by the start-up checks).
        Path gone = Files.createDirectories(dir.resolve("gone"));
        DaemonProcess daemon = start(config(backend, gone.resolve("state.json").toString()));
        try (java.util.stream.Stream<Path> files = Files.list(gone)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(gone);
        Pattern failure = Pattern.compile("ERROR lb\\.state\\.StateJournal - cannot write state file ");
        int changes = 40;
        long startNs = System.nanoTime();
        for (int i = 0; i < changes; i++) {
            String reply = call("{\"cmd\":\"set-weight\",\"target\":\"web/a\",\"weight\":" + (2 + i % 2) + "}");
            assertTrue(reply.startsWith("{\"ok\":true") && reply.contains("cannot write state file"),
                    "the change stands and its reply says it is not journaled: " + reply);
        }
        awaitNextInterval();
        call("{\"cmd\":\"set-weight\",\"target\":\"web/a\",\"weight\":5}");
        awaitAccountedFor(daemon, failure, changes + 1, startNs);
    }

    @Test
    void aSighupLoopOverABrokenOrUnchangedFileLogsOncePerIntervalWhileTheAuditHasEveryReload() throws Exception {
        EchoBackend backend = cleanup.track(EchoBackend.start("a"));
        String good = config(backend, "");
        DaemonProcess daemon = start(good);
        Path file = dir.resolve("lb.toml");
        Pattern unchanged = Pattern.compile("INFO lb\\.control\\.Reload - reloaded \\S+: no change");
        Pattern refused = Pattern.compile("ERROR lb\\.control\\.Reload - reload failed: ");
        Pattern signalled = Pattern.compile("INFO lb\\.Signals - SIGHUP received: reloading");

        long startNs = System.nanoTime();
        int signals = 20;
        for (int i = 0; i < signals; i++) {
            sighup(daemon);
        }
        awaitNextInterval();
        assertTrue(call("{\"cmd\":\"reload\"}").startsWith("{\"ok\":true"));
        assertEquals(signals + 1, audited(daemon, "no change"), "every reload audited");
        awaitAccountedFor(daemon, unchanged, signals + 1, startNs);

        Files.writeString(file, good + "[[pool.backend]]\nname = \"a\"\n"); // a duplicate name: refused
        long brokenNs = System.nanoTime();
        for (int i = 0; i < signals; i++) {
            sighup(daemon);
        }
        awaitNextInterval();
        assertTrue(call("{\"cmd\":\"reload\"}").startsWith("{\"ok\":false"));
        assertEquals(signals + 1, audited(daemon, "refused: "), "every refused reload audited, with its reason");
        awaitAccountedFor(daemon, refused, signals + 1, brokenNs);

        List<String> signalLines = lines(daemon, signalled);
        long intervals = 1 + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) / INTERVAL_MS;
        assertTrue(signalLines.size() <= intervals, signalLines.size() + " lines for " + 2 * signals
                + " signals in " + intervals + " intervals");
    }

    @Test
    void aScraperThatSendsGarbageGetsNoLineAtAll() throws Exception {
        EchoBackend backend = cleanup.track(EchoBackend.start("a"));
        DaemonProcess daemon = start(config(backend, ""));
        int port = Integer.parseInt(daemon.awaitLine(METRICS_LINE, WAIT).group(1));
        int before = daemon.stderrLines().size();
        List<byte[]> garbage = List.of("\0\1\2 not http\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
                "GET /metrics HTTP/1.1\r\nContent-Length: nine\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                "POST /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".getBytes(StandardCharsets.US_ASCII),
                "GET /metrics HTTP/9.9\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port));
                s.setSoTimeout(5_000);
                OutputStream out = s.getOutputStream();
                out.write(garbage.get(i % garbage.size()));
                out.flush();
                s.shutdownOutput();
                InputStream in = s.getInputStream();
                while (in.read() >= 0) {
                    // whatever the server answers, until it closes
                }
            } catch (SocketException e) {
                // A reset: the server closed with our garbage unread. An answer too.
            }
        }
        // A good scrape after them: served, and the daemon has said nothing about the garbage.
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port));
            s.setSoTimeout(5_000);
            s.getOutputStream().write("GET /metrics HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 200", head);
        }
        List<String> after = daemon.stderrLines();
        assertEquals(List.of(), after.subList(before, after.size()), "lines logged for 100 garbage requests");
    }

    /** One SIGHUP, and its reload's audit line: signals sent faster would merge in the kernel. */
    private static void sighup(DaemonProcess daemon) throws Exception {
        int before = lines(daemon, AUDIT).size();
        assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(daemon.process().pid())).start().waitFor());
        Await.until(() -> lines(daemon, AUDIT).size() > before, WAIT, "the reload of a SIGHUP was not audited");
    }

    /** Audit lines of reloads whose outcome starts with {@code outcome}. */
    private static long audited(DaemonProcess daemon, String outcome) {
        return lines(daemon, AUDIT).stream().map(AUDIT::matcher).filter(m -> m.find()
                && m.group(1).startsWith(outcome)).count();
    }
}
