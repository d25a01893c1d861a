package lb.bench.load;

/**
 * Any thread. When a run started, when measuring starts (after the warm-up) and when everything
 * stops, on the {@link System#nanoTime()} clock; plus the wall clock at the start, for the
 * histogram log's time stamps. The end is volatile: a signal (Ctrl-C, SIGTERM) brings it forward
 * through {@link #stopAt}, and every loop of the run reads it at least once per pass.
 */
final class Timeline {

    private final long startNs;
    private final long measureStartNs;
    private final long startEpochMs;
    private volatile long endNs;
    private volatile boolean stoppedEarly;

    private Timeline(long startNs, long measureStartNs, long endNs, long startEpochMs) {
        this.startNs = startNs;
        this.measureStartNs = measureStartNs;
        this.endNs = endNs;
        this.startEpochMs = startEpochMs;
    }

    static Timeline starting(long nowNs, LoadPlan plan) {
        return new Timeline(nowNs, nowNs + plan.warmupNs(), nowNs + plan.warmupNs() + plan.durationNs(),
                System.currentTimeMillis());
    }

    long startNs() {
        return startNs;
    }

    long measureStartNs() {
        return measureStartNs;
    }

    long endNs() {
        return endNs;
    }

    /** Ends the run at {@code nowNs} if that is earlier than planned. Only the signal hook calls it. */
    void stopAt(long nowNs) {
        if (nowNs - endNs < 0) {
            endNs = nowNs;
            stoppedEarly = true;
        }
    }

    boolean stoppedEarly() {
        return stoppedEarly;
    }

    /** Length of the measured window; shorter than planned after a stop, 0 if stopped during the warm-up. */
    double measuredSeconds() {
        return Math.max(0, endNs - measureStartNs) / 1e9;
    }

    /** Whether an operation that began at {@code originNs} counts. */
    boolean measures(long originNs) {
        return originNs - measureStartNs >= 0;
    }

    long epochMs(long ns) {
        return startEpochMs + (ns - startNs) / 1_000_000L;
    }
}
