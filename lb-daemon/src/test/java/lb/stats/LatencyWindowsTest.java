package lb.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Test thread. A latency's three views, on a clock the test moves: the since-start figures keep
 * everything, the Prometheus buckets are cumulative with the documented bounds, and the recent
 * windows forget what ended more than 10 s / 60 s ago.
 */
class LatencyWindowsTest {

    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void slowSessionsLeaveTheWindowsButNotTheSinceStartFigures() {
        Figures.Latency connect = new Figures.Latency(Figures.TIMING_BOUNDS_S);
        long t0 = 1_000 * S;
        for (int i = 0; i < 100; i++) {
            connect.record(200 * MS, t0);
        }
        Map<String, Object> atStart = connect.toMap(t0);
        assertEquals(100L, window(atStart, "last_10s").get("count"));
        assertEquals(200.0, (double) window(atStart, "last_10s").get("p99_ms"), 200 * 0.07, "1 digit: within ~6%");

        for (int i = 0; i < 100; i++) {
            connect.record(MS, t0 + 30 * S);
        }
        Map<String, Object> later = connect.toMap(t0 + 31 * S);
        assertEquals(100L, window(later, "last_10s").get("count"), "the slow ones left the 10 s window");
        assertTrue((double) window(later, "last_10s").get("p99_ms") <= 1.07, later.toString());
        assertEquals(200L, window(later, "last_60s").get("count"), "both are in the last minute");
        assertTrue((double) window(later, "last_60s").get("p99_ms") >= 180, later.toString());
        assertEquals(200L, later.get("count"));
        assertTrue((double) later.get("p99_ms") >= 199, "since start keeps the slow ones");

        Map<String, Object> muchLater = connect.toMap(t0 + 62 * S);
        assertEquals(100L, window(muchLater, "last_60s").get("count"), "a minute on, the slow ones are gone");
        assertEquals(0L, window(connect.toMap(t0 + 200 * S), "last_60s").get("count"));

        // The ring's slot for t0 comes round again: what it held must not count twice.
        connect.record(3 * MS, t0 + 60 * S);
        Map<String, Object> round = connect.toMap(t0 + 60 * S);
        assertEquals(1L, window(round, "last_10s").get("count"));
        assertEquals(101L, window(round, "last_60s").get("count"));
    }

    @Test
    void bucketsAreCumulativeWithTheDocumentedBounds() {
        Figures.Latency connect = new Figures.Latency(Figures.TIMING_BOUNDS_S);
        connect.record(400_000, 0); // 0.4 ms: in le=0.0005
        connect.record(MS, 0); // exactly 1 ms: le is inclusive
        connect.record(30 * MS, 0);
        connect.record(7 * S, 0); // past the last bound: only +Inf
        connect.record(-1, 0); // no connect happened: not recorded
        Map<?, ?> buckets = (Map<?, ?>) connect.toMap(0).get("buckets");
        assertEquals("[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, +Inf]",
                buckets.keySet().toString());
        assertEquals(1L, buckets.get("0.0005"));
        assertEquals(2L, buckets.get("0.001"));
        assertEquals(2L, buckets.get("0.025"));
        assertEquals(3L, buckets.get("0.05"));
        assertEquals(3L, buckets.get("5"));
        assertEquals(4L, buckets.get("+Inf"));
        assertEquals(4L, connect.toMap(0).get("count"));
        assertEquals(7.0314, (double) connect.toMap(0).get("sum_s"), 1e-9);

        Map<?, ?> durations = (Map<?, ?>) new Figures.Latency(Figures.DURATION_BOUNDS_S).toMap(0).get("buckets");
        assertEquals("[0.001, 0.01, 0.1, 1, 10, 60, 300, 900, 3600, +Inf]", durations.keySet().toString());
    }

    private static Map<?, ?> window(Map<String, Object> latency, String name) {
        return (Map<?, ?>) latency.get(name);
    }
}
