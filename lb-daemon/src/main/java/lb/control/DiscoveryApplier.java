package lb.control;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.config.BackendConfig;
import lb.discovery.Discovery;
import lb.pool.BackendPool;

/**
 * Any thread hands answers over; the control thread applies them. What a DNS answer does to a pool
 * ({@link BackendPool#applyDiscovered}), applied on the control thread in order with every other
 * change (DESIGN rule 5) and logged there: new addresses join (probed first with active checks,
 * ramped with slow start), vanished ones drain and, once their last session has ended, leave the
 * pool ({@link BackendPool#sweepGone}, polled every {@value #SWEEP_MS} ms while any is leaving). Their
 * sessions are never cut: a backend DNS dropped keeps serving the sessions it has until they end.
 */
final class DiscoveryApplier implements Discovery.Sink {

    private static final Logger LOG = LoggerFactory.getLogger(Discovery.class);
    static final long SWEEP_MS = 100;

    private final ControlPlane plane;
    // Control thread only.
    private ScheduledFuture<?> sweep;
    private final Map<BackendPool, List<String>> conflictsLogged = new HashMap<>();

    DiscoveryApplier(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void apply(BackendPool pool, List<BackendConfig> wanted, Runnable applied) {
        if (!plane.onControl(() -> {
            try {
                applyNow(pool, wanted);
            } finally {
                applied.run();
            }
        })) {
            applied.run();
            LOG.warn("pool {}: control queue full: a DNS answer was dropped (the next lookup brings it again)",
                    pool.name());
        }
    }

    /** Control thread. */
    private void applyNow(BackendPool pool, List<BackendConfig> wanted) {
        if (plane.state().pools().get(pool.name()) != pool || pool.discovery() == null) {
            return; // a reload removed the pool, or its discovery, since the lookup
        }
        BackendPool.DiscoveryChanges changes = pool.applyDiscovered(wanted);
        for (String change : changes.changes()) {
            LOG.info("pool {}: discovery: {}", pool.name(), change);
        }
        if (!changes.conflicts().equals(conflictsLogged.getOrDefault(pool, List.of()))) {
            conflictsLogged.put(pool, changes.conflicts());
            for (String conflict : changes.conflicts()) {
                LOG.warn("pool {}: discovery: record left out: {}", pool.name(), conflict);
            }
        }
        if (changes.draining() && sweep == null) {
            sweep = plane.every(SWEEP_MS, this::sweep);
        }
    }

    /** Control thread: discovered backends that DNS dropped and that have no session left leave their pool. */
    private void sweep() {
        boolean leaving = false;
        for (BackendPool pool : plane.state().pools().values()) {
            for (String name : pool.sweepGone()) {
                LOG.info("pool {}: discovery: backend {} left the pool (drained)", pool.name(), name);
            }
            leaving |= pool.hasGone();
        }
        if (!leaving && sweep != null) {
            sweep.cancel(false);
            sweep = null;
        }
    }
}
