package lb.stats;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.ConnectFailure;
import lb.pool.LoopCounters;

/**
 * Owned by the lb-stats thread. What backends that left a pool (removed, or replaced by a reload)
 * had counted, so that the pool's counters go on from there instead of falling: Prometheus reads a
 * counter that goes down as a restart. A backend that left is followed while its sessions run on,
 * then its totals are folded into the pool's and it is let go. Keyed by pool name, so that a reload
 * that rebuilds a pool keeps its totals; a pool that is gone takes them with it.
 */
final class Departures {

    private static final ConnectFailure[] CAUSES = ConnectFailure.values();

    /** Totals of backends that left and have no session left. */
    private static final class Folded {
        long sessions;
        long up;
        long down;
        long rejected;
        final long[] failures = new long[CAUSES.length];

        void add(Backend b) {
            sessions += b.totalSessions();
            up += b.traffic().sum(LoopCounters.UP);
            down += b.traffic().sum(LoopCounters.DOWN);
            rejected += b.rejectedAtLimit();
            for (ConnectFailure cause : CAUSES) {
                failures[cause.ordinal()] += b.connectFailures(cause);
            }
        }
    }

    private static final class PoolState {
        Set<Backend> seen = identitySet();
        final List<Backend> leaving = new ArrayList<>();
        final Folded folded = new Folded();
    }

    private final Map<String, PoolState> pools = new HashMap<>();

    /** Notes which backends each pool has now; called before every report and sample. */
    void observe(Map<String, BackendPool> current) {
        pools.keySet().retainAll(current.keySet());
        for (BackendPool pool : current.values()) {
            PoolState state = pools.computeIfAbsent(pool.name(), name -> new PoolState());
            Set<Backend> now = identitySet();
            now.addAll(pool.snapshot().backends());
            for (Backend b : state.seen) {
                if (!now.contains(b)) {
                    state.leaving.add(b);
                }
            }
            state.seen = now;
            state.leaving.removeIf(b -> {
                if (b.activeSessions() > 0) {
                    return false;
                }
                state.folded.add(b);
                return true;
            });
        }
    }

    /** The totals of backends that left {@code pool}: sessions, bytes up, bytes down, rejected at their limit. */
    long[] totals(String pool) {
        PoolState state = pools.get(pool);
        if (state == null) {
            return new long[4];
        }
        Folded all = new Folded();
        all.sessions = state.folded.sessions;
        all.up = state.folded.up;
        all.down = state.folded.down;
        all.rejected = state.folded.rejected;
        for (Backend b : state.leaving) {
            all.add(b); // still running: its live figures
        }
        return new long[] {all.sessions, all.up, all.down, all.rejected};
    }

    /** Connect failures by cause of backends that left {@code pool}. */
    long failures(String pool, ConnectFailure cause) {
        PoolState state = pools.get(pool);
        if (state == null) {
            return 0;
        }
        long total = state.folded.failures[cause.ordinal()];
        for (Backend b : state.leaving) {
            total += b.connectFailures(cause);
        }
        return total;
    }

    private static Set<Backend> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }
}
