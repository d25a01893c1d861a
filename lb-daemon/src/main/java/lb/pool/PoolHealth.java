package lb.pool;

/**
 * Any thread reads; the HealthChecker thread writes. What a pool's backends share about its health:
 * whether the pool is in panic (too few usable backends, so every active backend of the tier in use
 * is picked, healthy or not, rather than the few left taking everything: Envoy's panic mode), and
 * the slow start ramp length.
 */
public final class PoolHealth {

    /** {@link #panicTier()} when no tier is in panic. */
    public static final int NO_PANIC = Integer.MIN_VALUE;

    private volatile long slowStartNs;
    private volatile int panicTier = NO_PANIC;

    public PoolHealth(long slowStartNs) {
        this.slowStartNs = slowStartNs;
    }

    /** Whether the pool is in panic (in one of its tiers). */
    public boolean panic() {
        return panicTier != NO_PANIC;
    }

    /** Whether the backends of {@code tier} are in panic: picked healthy or not. */
    public boolean panic(int tier) {
        return panicTier == tier;
    }

    /**
     * The tier in panic, or {@link #NO_PANIC}. At most one: the tier that serves (the best with a
     * usable backend), and only when the pool's tiers together have too few usable backends.
     */
    public int panicTier() {
        return panicTier;
    }

    /** HealthChecker thread: panic in the backends' only tier (0), or none (tests, pools without tiers). */
    public void panic(boolean on) {
        this.panicTier = on ? 0 : NO_PANIC;
    }

    /** HealthChecker thread: {@code tier} is in panic, or none ({@link #NO_PANIC}). */
    public void panicTier(int tier) {
        this.panicTier = tier;
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
