package lb.pool;

/**
 * Any thread reads; the HealthChecker thread writes. What a pool's backends share about its health:
 * whether the pool is in panic (too few usable backends, so every active backend is picked,
 * healthy or not, rather than the few left taking everything: Envoy's panic mode), and the slow
 * start ramp length.
 */
public final class PoolHealth {

    private final long slowStartNs;
    private volatile boolean panic;

    public PoolHealth(long slowStartNs) {
        this.slowStartNs = slowStartNs;
    }

    public boolean panic() {
        return panic;
    }

    /** HealthChecker thread. */
    public void panic(boolean on) {
        this.panic = on;
    }

    /** Slow start length in nanoseconds; 0 = none. */
    public long slowStartNs() {
        return slowStartNs;
    }
}
