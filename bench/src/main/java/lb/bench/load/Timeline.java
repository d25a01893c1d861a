package lb.bench.load;

/**
 * Any thread (immutable). When a run started, when measuring starts (after the warm-up) and when
 * everything stops, on the {@link System#nanoTime()} clock; plus the wall clock at the start, for
 * the histogram log's time stamps.
 */
record Timeline(long startNs, long measureStartNs, long endNs, long startEpochMs) {

    static Timeline starting(long nowNs, LoadPlan plan) {
        return new Timeline(nowNs, nowNs + plan.warmupNs(), nowNs + plan.warmupNs() + plan.durationNs(),
                System.currentTimeMillis());
    }

    /** Whether an operation that began at {@code originNs} counts. */
    boolean measures(long originNs) {
        return originNs - measureStartNs >= 0;
    }

    long epochMs(long ns) {
        return startEpochMs + (ns - startNs) / 1_000_000L;
    }
}
