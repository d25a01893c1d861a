package lb.health;

import lb.pool.Backend;
import lb.pool.BackendPool;

/**
 * Owned by the HealthChecker thread. Slow start for one pool: while a backend ramps (it came back
 * UP, or back from ejection), republishes the pool's snapshot every step, and once more when the
 * ramp ends. A snapshot takes each backend's effective weight at that moment, so the ramp reaches
 * every algorithm through the one mechanism that already carries weights: weighted draws and round
 * robin use it directly, {@code maglev} and {@code ring_hash} rebuild their table and ring with
 * the backend's share in proportion to it, and {@code bounded_load}'s capacity follows it.
 */
final class SlowStart implements HealthChecker.Task {

    private final HealthChecker checker;

    private static final long MIN_STEP_NS = 50_000_000L;
    private static final int STEPS = 20;

    private final BackendPool pool;
    private final long stepNs;
    private boolean ramping;

    SlowStart(BackendPool pool, HealthChecker checker) {
        this.checker = checker;
        this.pool = pool;
        this.stepNs = Math.max(MIN_STEP_NS, pool.health().slowStart().toNanos() / STEPS);
    }

    @Override
    public long run(long nowNs) {
        boolean any = false;
        for (Backend b : pool.snapshot().backends()) {
            any |= b.isRamping(nowNs);
        }
        if (any || ramping) {
            checker.republish(pool); // the last one, after the ramp, publishes full weights
        }
        ramping = any;
        return nowNs + (any ? stepNs : MIN_STEP_NS);
    }

    @Override
    public String toString() {
        return "slow start of pool " + pool.name();
    }
}
