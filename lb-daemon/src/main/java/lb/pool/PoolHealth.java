package lb.pool;

/**
 * Any thread reads; the HealthChecker thread writes. What a pool's backends share about its health:
 * whether the pool is in panic (too few usable backends, so every active backend is picked,
 * healthy or not, rather than the few left taking everything: Envoy's panic mode), and the slow
 * start ramp length.
 */
public final class PoolHealth {

    private volatile long slowStartNs;
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

    /** Control thread (reload): a new slow start length; a ramp in progress uses it from now on. */
    public void slowStartNs(long ns) {
        this.slowStartNs = ns;
    }

    /** Slow start length in nanoseconds; 0 = none. */
    public long slowStartNs() {
        return slowStartNs;
    }
}
