package lb.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import lb.bench.Bench;
import lb.protocol.Json;
import picocli.CommandLine;

/**
 * Test thread only. {@code bench compare} with lb alone (so the test does not depend on HAProxy
 * or nginx being installed): lb is started as a child process from the test classpath, bench's
 * own rr and crr loads run through it, and the command stops everything itself.
 */
class CompareCommandTest {

    /** Two 1 s loads, lb's start-up and shutdown, on a busy 2-core machine. */
    private static final long BOUND_MS = 20_000;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int compare(String... extra) {
        CommandLine cli = new CommandLine(new Bench());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(List.of("compare", "--only", "lb", "--modes", "rr,crr",
                "--rounds", "1", "--duration", "1s", "--warmup", "0s", "-c", "8", "--workers", "1",
                "--lb-classpath", System.getProperty("java.class.path")));
        args.addAll(List.of(extra));
        long startNs = System.nanoTime();
        int exit = cli.execute(args.toArray(new String[0]));
        long tookMs = (System.nanoTime() - startNs) / 1_000_000;
        assertTrue(tookMs < BOUND_MS, "took " + tookMs + " ms\n" + out + err);
        return exit;
    }

    @Test
    void tableHasNonZeroRrAndCrrFiguresForLb() {
        assertEquals(0, compare(), "stdout:\n" + out + "\nstderr:\n" + err);
        Matcher row = Pattern.compile("(?m)^lb\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)\\s").matcher(out.toString());
        assertTrue(row.find(), "no lb row:\n" + out);
        assertTrue(number(row.group(1)) > 0, "rr req/s:\n" + out);
        assertTrue(number(row.group(3)) > 0, "crr conn/s:\n" + out);
        assertTrue(out.toString().contains("rr req/s") && out.toString().contains("crr conn/s"), out.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonHasLbFiguresAndLbIsTheBaselineWithoutHaproxy() {
        assertEquals(0, compare("--json"), "stdout:\n" + out + "\nstderr:\n" + err);
        Map<String, Object> json = (Map<String, Object>) Json.parse(out.toString().trim());
        assertEquals("lb", json.get("baseline"));
        List<Map<String, Object>> proxies = (List<Map<String, Object>>) json.get("proxies");
        assertEquals(1, proxies.size(), out.toString());
        Map<String, Object> lb = proxies.get(0);
        assertEquals("lb", lb.get("name"));
        assertTrue(((Number) lb.get("rr_requests_per_s")).doubleValue() > 0, out.toString());
        assertTrue(((Number) lb.get("crr_connects_per_s")).doubleValue() > 0, out.toString());
        assertTrue(((Number) lb.get("rr_cpu_s")).doubleValue() > 0, "lb's CPU during rr, from /proc: " + out);
        assertEquals(1.0, ((Number) lb.get("rr_requests_per_s_ratio")).doubleValue(), 1e-9);
    }

    @Test
    void unknownProxyIsAUsageError() {
        CommandLine cli = new CommandLine(new Bench());
        cli.setErr(new PrintWriter(err, true));
        assertEquals(2, cli.execute("compare", "--only", "envoy"));
        assertTrue(err.toString().contains("unknown proxy 'envoy'"), err.toString());
    }

    private static long number(String text) {
        return Long.parseLong(text.replace(",", ""));
    }
}
