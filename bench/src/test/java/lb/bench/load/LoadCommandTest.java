package lb.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.Daemon;
import lb.bench.Bench;
import lb.bench.backend.BackendType;
import lb.bench.backend.TestBackend;
import lb.protocol.Json;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.DeadPort;
import lb.testing.TestConfigs;
import picocli.CommandLine;

/**
 * Test thread only. {@code bench load} in every mode through a real lb daemon (in-process) to
 * bench's own backends, on loopback: plausible figures, and back within its duration.
 */
class LoadCommandTest {

    /** What a run may take beyond warm-up plus duration: closing connections, a busy 2-core CI machine. */
    private static final long MARGIN_MS = 2_000;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private TestBackend backends(BackendType type) throws Exception {
        return cleanup.track(TestBackend.start(type, InetAddress.getLoopbackAddress(), List.of(0, 0)));
    }

    /** An lb daemon balancing over {@code backend}'s ports; returns its listener as HOST:PORT. */
    private String lbInFrontOf(TestBackend backend) throws Exception {
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(backend.addresses()).build()));
        InetSocketAddress listener = daemon.listenerAddress(TestConfigs.LISTENER);
        return "127.0.0.1:" + listener.getPort();
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new Bench());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    /** Runs {@code bench load ARGS --json}, checks exit 0 and the run's length, returns the summary. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> load(long runMs, String... args) {
        List<String> all = new ArrayList<>(List.of("load"));
        all.addAll(List.of(args));
        all.add("--json");
        long startNs = System.nanoTime();
        int exit = run(all.toArray(new String[0]));
        long tookMs = (System.nanoTime() - startNs) / 1_000_000;
        assertEquals(0, exit, "stdout:\n" + out + "\nstderr:\n" + err);
        assertTrue(tookMs >= runMs && tookMs < runMs + MARGIN_MS, "ran " + tookMs + " ms for a " + runMs + " ms run");
        return (Map<String, Object>) Json.parse(out.toString().trim());
    }

    private static double num(Map<String, Object> json, String key) {
        assertTrue(json.containsKey(key), key + " missing in " + json);
        return ((Number) json.get(key)).doubleValue();
    }

    private static void assertNoErrors(Map<String, Object> json) {
        assertEquals(0, num(json, "errors"), json.toString());
    }

    private static void assertPercentilesOrdered(Map<String, Object> json) {
        double p50 = num(json, "p50_us");
        double p90 = num(json, "p90_us");
        double p99 = num(json, "p99_us");
        double p999 = num(json, "p99_9_us");
        double max = num(json, "max_us");
        assertTrue(0 < p50 && p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= max, json.toString());
    }

    @Test
    void throughputPushThroughLbDeliversEveryCountedByteToTheSink() throws Exception {
        TestBackend sink = backends(BackendType.SINK);
        String target = lbInFrontOf(sink);
        Map<String, Object> json = load(1_000, "--target", target, "--mode", "throughput", "-c", "2",
                "--duration", "1s", "--warmup", "0s");
        assertEquals("throughput", json.get("mode"));
        assertEquals("push", json.get("direction"));
        assertEquals(2, num(json, "streams_connected"));
        assertTrue(num(json, "gbit_per_s") > 0, json.toString());
        assertEquals(num(json, "gbit_per_s") / 2, num(json, "gbit_per_s_per_stream"), 0.01, json.toString());
        assertTrue(num(json, "gbit_per_s_stream_min") > 0, json.toString());
        assertNoErrors(json);
        // No warm-up, so every byte written was counted; once the streams are closed lb delivers them all.
        long bytes = (long) num(json, "bytes");
        Await.until(() -> sink.stats().bytesReceived() == bytes, TIMEOUT,
                () -> "sink received " + sink.stats().bytesReceived() + " of " + bytes);
    }

    @Test
    void throughputPushToEchoReadsTheEchoBack() throws Exception {
        String target = lbInFrontOf(backends(BackendType.ECHO));
        Map<String, Object> json = load(700, "--target", target, "--mode", "throughput", "--duration", "500ms",
                "--warmup", "200ms");
        assertTrue(num(json, "bytes") > 0, json.toString());
        assertTrue(num(json, "bytes_echoed") > 0, json.toString());
    }

    @Test
    void throughputPullThroughLbReadsFromTheSource() throws Exception {
        TestBackend source = backends(BackendType.SOURCE);
        String target = lbInFrontOf(source);
        Map<String, Object> json = load(1_200, "--target", target, "--mode", "throughput", "--direction", "pull",
                "-c", "2", "--duration", "1s", "--warmup", "200ms");
        assertEquals("pull", json.get("direction"));
        assertTrue(num(json, "gbit_per_s") > 0, json.toString());
        assertTrue(num(json, "bytes") <= source.stats().bytesSent(), "cannot read more than the source sent: " + json);
        assertNoErrors(json);
    }

    @Test
    void rrThroughLbCountsRequestsWithOrderedPercentilesAndShowsProgress() throws Exception {
        String target = lbInFrontOf(backends(BackendType.ECHO));
        Map<String, Object> json = load(1_200, "--target", target, "--mode", "rr", "-c", "4", "--duration", "1s",
                "--warmup", "200ms");
        assertEquals("rr", json.get("mode"));
        assertEquals(4, num(json, "connections"));
        assertEquals(64, num(json, "size"));
        assertTrue(num(json, "requests") > 0, json.toString());
        assertEquals(num(json, "requests") / 1.0, num(json, "requests_per_s"), 1.0, json.toString());
        assertPercentilesOrdered(json);
        assertNoErrors(json);
        assertTrue(err.toString().contains("[  1.0s] rr "), "a progress line after a second: " + err);
    }

    @Test
    void rrAtAFixedRateLogsEveryMeasuredLatencyToTheHistogramFile() throws Exception {
        String target = lbInFrontOf(backends(BackendType.ECHO));
        Path log = dir.resolve("rr.hlog");
        Map<String, Object> json = load(1_700, "--target", target, "--mode", "rr", "-c", "4", "--rate", "2000",
                "--duration", "1500ms", "--warmup", "200ms", "--histogram", log.toString());
        double requests = num(json, "requests");
        // 2000/s for 1.5 s is 3000; a loaded machine may fall behind, but the schedule never runs ahead.
        assertTrue(requests > 1000 && requests <= 3000 + 4, json.toString());
        assertEquals(2000, num(json, "rate"));
        assertPercentilesOrdered(json);
        assertNoErrors(json);
        long logged = 0;
        HistogramLogReader reader = new HistogramLogReader(log.toFile());
        EncodableHistogram interval;
        while ((interval = reader.nextIntervalHistogram()) != null) {
            logged += ((org.HdrHistogram.Histogram) interval).getTotalCount();
        }
        reader.close();
        assertEquals((long) requests, logged, Files.readString(log));
    }

    @Test
    void aPausedTargetChargesEveryRequestThatWasDueDuringThePause() throws Exception {
        // An echo server that, once, takes 300 ms to answer: the stall being measured.
        ServerSocket server = cleanup.track(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        Thread echo = new Thread(() -> {
            try (Socket socket = server.accept()) {
                byte[] request = new byte[64];
                for (int n = 1; socket.getInputStream().readNBytes(request, 0, 64) == 64; n++) {
                    if (n == 200) {
                        Thread.sleep(300);
                    }
                    socket.getOutputStream().write(request);
                }
            } catch (Exception e) {
                // the run is over and the socket closed
            }
        }, "stalling-echo");
        echo.setDaemon(true);
        echo.start();
        Map<String, Object> json = load(1_000, "--target", "127.0.0.1:" + server.getLocalPort(), "--mode", "rr",
                "-c", "1", "--rate", "1000", "--duration", "1s", "--warmup", "0s");
        // Charged from when each was due, the ~300 requests due during the stall waited up to 300 ms:
        // about a fifth waited more than 100 ms. Charged from their actual send, only one would have.
        assertTrue(num(json, "p90_us") > 100_000, json.toString());
        assertTrue(num(json, "max_us") > 250_000, json.toString());
    }

    @Test
    void crrThroughLbMakesConnectionsWithoutErrorsAndPrintsATable() throws Exception {
        String target = lbInFrontOf(backends(BackendType.ECHO));
        long startNs = System.nanoTime();
        assertEquals(0, run("load", "--target", target, "--mode", "crr", "-c", "4", "--duration", "1s",
                "--warmup", "200ms"), err.toString());
        assertTrue((System.nanoTime() - startNs) / 1_000_000 < 1_200 + MARGIN_MS);
        String table = out.toString();
        assertTrue(table.startsWith("bench load: crr against " + target), table);
        assertTrue(table.matches("(?s).*connections completed\\s+[1-9][0-9,]*\\n.*"), table);
        assertTrue(table.matches("(?s).*errors \\(whole run\\)\\s+0\\n.*"), table);
        assertTrue(table.contains("latency p99.9"), table);
    }

    @Test
    void crrAtAFixedRateKeepsToTheRate() throws Exception {
        String target = lbInFrontOf(backends(BackendType.ECHO));
        Map<String, Object> json = load(1_000, "--target", target, "--mode", "crr", "-c", "4", "--rate", "500",
                "--duration", "1s", "--warmup", "0s");
        double connects = num(json, "connects");
        assertTrue(connects > 50 && connects <= 500 + 4, json.toString());
        assertPercentilesOrdered(json);
        assertNoErrors(json);
    }

    @Test
    void idleThroughLbHoldsEveryConnectionToTheEnd() throws Exception {
        String target = lbInFrontOf(backends(BackendType.ECHO));
        Map<String, Object> json = load(1_000, "--target", target, "--mode", "idle", "-c", "200", "--duration", "1s",
                "--warmup", "0s");
        assertEquals(200, num(json, "opened"));
        assertEquals(200, num(json, "held"));
        assertEquals(0, num(json, "failed"));
        assertEquals(0, num(json, "dropped"));
    }

    @Test
    void idleConnectionsLbClosesAtItsIdleTimeoutAreCountedDroppedAndExit1() throws Exception {
        TestBackend echo = backends(BackendType.ECHO);
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(echo.addresses())
                .idleTimeout(Duration.ofMillis(200)).build()));
        String target = "127.0.0.1:" + daemon.listenerAddress(TestConfigs.LISTENER).getPort();
        assertEquals(1, run("load", "--target", target, "--mode", "idle", "-c", "20", "--duration", "1s",
                "--warmup", "0s", "--json"), err.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(out.toString().trim());
        assertEquals(20, num(json, "opened"));
        assertEquals(0, num(json, "held"));
        assertEquals(20, num(json, "dropped"));
        assertTrue(err.toString().contains("all 20 connections were closed by the target before the end"), err.toString());
    }

    @Test
    void aTargetNothingListensOnExits1WithTheReason() throws Exception {
        InetSocketAddress dead = DeadPort.allocate();
        assertEquals(1, run("load", "--target", "127.0.0.1:" + dead.getPort(), "--mode", "rr", "--duration", "200ms",
                "--warmup", "0s"));
        assertTrue(err.toString().contains("no successful operation against 127.0.0.1:" + dead.getPort()
                + ": java.net.ConnectException: Connection refused"), err.toString());
        assertTrue(out.toString().matches("(?s).*refused\\s+16\\n.*"), "every connection refused:\n" + out);
    }

    @Test
    void sigtermEndsALongRunEarlyWithTheSummarySoFar() throws Exception {
        InetSocketAddress echo = backends(BackendType.ECHO).addresses().get(0);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "lb.bench.Bench", "load", "--target", "127.0.0.1:" + echo.getPort(), "--mode", "rr", "-c", "2",
                "--duration", "1h", "--warmup", "0s", "--json").start();
        try {
            BufferedReader progress = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8));
            String line = progress.readLine(); // the first progress line: load is flowing
            assertTrue(line != null && line.startsWith("[  1.0s] rr "), line);
            process.toHandle().destroy(); // SIGTERM
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "still running 10 s after SIGTERM");
            @SuppressWarnings("unchecked")
            Map<String, Object> json = (Map<String, Object>) Json.parse(
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
            assertEquals(Boolean.TRUE, json.get("stopped_early"), json.toString());
            assertTrue(num(json, "duration_s") > 0.9 && num(json, "duration_s") < 60, json.toString());
            assertTrue(num(json, "requests") > 0, json.toString());
            assertEquals(num(json, "requests") / num(json, "duration_s"), num(json, "requests_per_s"),
                    num(json, "requests_per_s") * 0.01, json.toString());
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void unknownModeIsAUsageError() {
        assertEquals(2, run("load", "--target", "127.0.0.1:1", "--mode", "bulk"));
        assertTrue(err.toString().contains("unknown mode 'bulk': use throughput, rr, crr, tls or idle"), err.toString());
    }

    @Test
    void aRemoteTargetNeedsAllowRemote() {
        assertEquals(2, run("load", "--target", "192.0.2.1:80", "--mode", "rr"));
        assertTrue(err.toString().contains("--target 192.0.2.1:80 is not a loopback address")
                && err.toString().contains("--allow-remote"), err.toString());
    }

    @Test
    void aDurationOverAnHourIsAUsageError() {
        assertEquals(2, run("load", "--target", "127.0.0.1:1", "--mode", "rr", "--duration", "2h"));
        assertTrue(err.toString().contains("--duration must be more than 0 and at most 1h"), err.toString());
    }

    @Test
    void optionsOfAnotherModeAreUsageErrors() {
        assertEquals(2, run("load", "--target", "127.0.0.1:1", "--mode", "throughput", "--rate", "100"));
        assertTrue(err.toString().contains("--rate is for --mode rr, crr and tls only"), err.toString());
    }
}
