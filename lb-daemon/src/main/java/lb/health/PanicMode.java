package lb.health;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.pool.AdminState;
import lb.pool.Backend;
import lb.pool.BackendPool;

/**
 * Owned by the HealthChecker thread. Envoy's panic mode for one pool: when fewer than
 * {@code panic_threshold} percent of the backends the operator has in rotation (admin state
 * ACTIVE) are usable (healthy and not ejected), the few left would take everything, so the pool
 * picks among all of those backends instead, healthy or not. Drained and disabled backends stay
 * out either way: panic overrides health, not the operator.
 *
 * <p>Nothing is decided before the pool's first probe round is over: with {@code initial_state =
 * "down"} every backend starts DOWN, and a pool that has not probed anything yet is not failing.
 * Until every backend in rotation has had its first verdict the pool stays out of panic (it serves
 * from the backends whose first probe passed, and refuses clients while none has). After that a
 * backend still waiting for its first probe (one added at runtime) counts neither way, and is never
 * picked.
 */
final class PanicMode implements HealthChecker.Task {

    private static final Logger LOG = LoggerFactory.getLogger(PanicMode.class);
    private static final long PERIOD_NS = 20_000_000L;

    private final BackendPool pool;
    private final int thresholdPercent;
    // Whether every backend in rotation has had its first probe verdict once (initial_state = "down").
    private boolean firstRoundDone;

    PanicMode(BackendPool pool) {
        this.pool = pool;
        this.thresholdPercent = pool.health().panicThresholdPercent();
    }

    @Override
    public long run(long nowNs) {
        List<Backend> backends = pool.snapshot().backends();
        int active = 0;
        int usable = 0;
        boolean unchecked = false;
        for (Backend b : backends) {
            if (b.adminState() != AdminState.ACTIVE) {
                continue;
            }
            if (b.awaitingFirstCheck()) {
                unchecked = true; // neither usable nor failing: nothing is known of it yet
                continue;
            }
            active++;
            if (b.isHealthyAndNotEjected()) {
                usable++;
            }
        }
        if (!firstRoundDone) {
            if (unchecked) {
                return nowNs + PERIOD_NS; // no verdict on the pool before its first probe round
            }
            firstRoundDone = true;
        }
        boolean panic = active > 0 && usable * 100 < thresholdPercent * active;
        if (panic != pool.poolHealth().panic()) {
            pool.poolHealth().panic(panic);
            if (panic) {
                LOG.warn("pool {}: PANIC: only {} of {} backends usable (panic_threshold {}%): picking among all {}",
                        pool.name(), usable, active, thresholdPercent, active);
            } else {
                LOG.info("pool {}: panic over: {} of {} backends usable", pool.name(), usable, active);
            }
        }
        return nowNs + PERIOD_NS;
    }

    @Override
    public String toString() {
        return "panic mode of pool " + pool.name();
    }
}
