package lb.health;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.config.Tiers;
import lb.pool.AdminState;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.PoolHealth;

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
        // Per tier, best first: backends in rotation with a verdict, and those usable.
        TreeMap<Integer, int[]> tiers = new TreeMap<>();
        boolean unchecked = false;
        for (Backend b : backends) {
            if (b.adminState() != AdminState.ACTIVE) {
                continue;
            }
            if (b.awaitingFirstCheck()) {
                unchecked = true; // neither usable nor failing: nothing is known of it yet
                continue;
            }
            int[] counts = tiers.computeIfAbsent(b.tier(), t -> new int[2]);
            counts[0]++;
            if (b.isHealthyAndNotEjected()) {
                counts[1]++;
            }
        }
        if (!firstRoundDone) {
            if (unchecked) {
                return nowNs + PERIOD_NS; // no verdict on the pool before its first probe round
            }
            firstRoundDone = true;
        }
        // The pool's health is the sum of its tiers' usable shares (Envoy's normalized total health
        // across priorities, without its overprovisioning factor): a healthy backup tier counts, so a
        // pool with backups panics only when its tiers together fall below the threshold. Without
        // tiers this is usable / active, as before. Panic then applies to the tier that serves: the
        // best with a usable backend, or the best in rotation when none has one.
        double health = 0;
        int active = 0;
        int usable = 0;
        int serving = PoolHealth.NO_PANIC;
        for (Map.Entry<Integer, int[]> tier : tiers.entrySet()) {
            int[] counts = tier.getValue();
            health += counts[1] / (double) counts[0];
            active += counts[0];
            usable += counts[1];
            if (serving == PoolHealth.NO_PANIC && counts[1] > 0) {
                serving = tier.getKey();
            }
        }
        if (serving == PoolHealth.NO_PANIC && !tiers.isEmpty()) {
            serving = tiers.firstKey();
        }
        boolean panic = active > 0 && health * 100 < thresholdPercent - 1e-9;
        int panicTier = panic ? serving : PoolHealth.NO_PANIC;
        int was = pool.poolHealth().panicTier();
        if (panicTier != was) {
            pool.poolHealth().panicTier(panicTier);
            String where = tiers.size() > 1 && panic ? " in tier " + Tiers.describe(serving) : "";
            if (panic) {
                int inTier = tiers.get(serving)[0];
                LOG.warn("pool {}: PANIC: only {} of {} backends usable (panic_threshold {}%): picking among all {}{}",
                        pool.name(), usable, active, thresholdPercent, inTier, where);
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
