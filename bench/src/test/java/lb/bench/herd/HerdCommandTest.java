package lb.bench.herd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import lb.bench.Bench;
import lb.protocol.Json;
import picocli.CommandLine;

/**
 * Test thread only. {@code bench herd} end to end: it starts its own echo backends and an lb
 * child process (lb.Main from the test classpath), kills b1 mid-run and reports what happened.
 * The command stops everything it started itself, also when it fails.
 */
class HerdCommandTest {

    /** A 4 s run plus lb's start-up and shutdown on a busy 2-core machine. */
    private static final long BOUND_MS = 20_000;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new Bench());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    @SuppressWarnings("unchecked")
    void killedBackendGetsNoNewSessionsSurvivorsTakeItsLoadAndErrorsStop() throws Exception {
        Path svg = dir.resolve("herd.svg");
        long startNs = System.nanoTime();
        int exit = run("herd", "--backends", "3", "--clients", "20", "--duration", "4s", "--kill-after", "1500ms",
                "--circuit-breaking", "on", "--workers", "1", "--json", "--svg", svg.toString(),
                "--lb-classpath", System.getProperty("java.class.path"));
        long tookMs = (System.nanoTime() - startNs) / 1_000_000;
        String context = "stdout:\n" + out + "\nstderr:\n" + err;
        assertEquals(0, exit, context);
        assertTrue(tookMs < BOUND_MS, "took " + tookMs + " ms: " + context);

        Map<String, Object> json = (Map<String, Object>) Json.parse(out.toString().trim());
        List<Map<String, Object>> seconds = (List<Map<String, Object>>) json.get("seconds");
        assertEquals(4, seconds.size(), context);
        double killAt = ((Number) json.get("kill_at_s")).doubleValue();
        assertTrue(killAt >= 1.5 && killAt < 2.5, "kill at " + killAt);

        // The last second lies wholly after the kill: b1 is not listening, nothing reaches it.
        Map<String, Object> last = seconds.get(seconds.size() - 1);
        List<Number> lastSessions = (List<Number>) last.get("sessions");
        assertEquals(0L, lastSessions.get(0).longValue(), "b1's sessions in the last second: " + context);

        // Survivors: more per second after the kill (two share what three did) than in the first second.
        List<Number> firstSessions = (List<Number>) seconds.get(0).get("sessions");
        for (int i = 1; i < 3; i++) {
            assertTrue(lastSessions.get(i).longValue() > firstSessions.get(i).longValue(),
                    "b" + (i + 1) + " before " + firstSessions.get(i) + ", after " + lastSessions.get(i) + ": " + context);
        }
        assertTrue(((Number) json.get("survivor_max_over_mean")).doubleValue() > 1.0, context);

        // Circuit breaking on: errors stop, and the recovery time says when.
        assertNotNull(json.get("recovery_s"), "no recovery: " + context);
        double recovery = ((Number) json.get("recovery_s")).doubleValue();
        assertTrue(recovery >= 0 && recovery < 4 - killAt, "recovery " + recovery + ": " + context);
        assertTrue(((Number) json.get("sessions")).longValue() > 0, context);

        Document chart = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", chart.getDocumentElement().getTagName());
        assertEquals(3, chart.getElementsByTagName("polyline").getLength(), Files.readString(svg));
    }

    @Test
    void killAfterPastTheEndIsAUsageError() {
        assertEquals(2, run("herd", "--duration", "2s", "--kill-after", "3s"));
        assertTrue(err.toString().contains("--kill-after"), err.toString());
    }

    @Test
    void circuitBreakingTakesOnOrOff() {
        assertEquals(2, run("herd", "--circuit-breaking", "maybe"));
        assertTrue(err.toString().contains("use on or off"), err.toString());
    }
}
