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
 */
final class PanicMode implements HealthChecker.Task {

    private static final Logger LOG = LoggerFactory.getLogger(PanicMode.class);
    private static final long PERIOD_NS = 20_000_000L;

    private final BackendPool pool;
    private final int thresholdPercent;

    PanicMode(BackendPool pool) {
        this.pool = pool;
        this.thresholdPercent = pool.health().panicThresholdPercent();
    }

    @Override
    public long run(long nowNs) {
        List<Backend> backends = pool.snapshot().backends();
        int active = 0;
        int usable = 0;
        for (Backend b : backends) {
            if (b.adminState() == AdminState.ACTIVE) {
                active++;
                if (b.isHealthyAndNotEjected()) {
                    usable++;
                }
            }
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
