package lb.balance;

import lb.config.HashFallback;
import lb.pool.Backend;
import lb.pool.PoolSnapshot;

/**
 * Any thread (stateless). The one pick of every hashing algorithm: a key's home position, and when
 * the backend there cannot take the session, the walk on along the {@link HashOrder} to the first
 * one that can ({@code hash_fallback = "next"}). Every host walks the same order, so a fallback is
 * as consistent as the hash. Allocates nothing and takes no lock.
 */
final class HashWalk {

    private HashWalk() {
    }

    /**
     * The backend for {@code hash}: the home backend if it is eligible and not {@code avoid}; else,
     * with {@link HashFallback#REJECT}, null; else the next such backend along {@code order}.
     *
     * @return the backend, or null when none (other than {@code avoid}) is eligible or the home
     *         backend is unusable and the pool rejects instead of falling back
     */
    static Backend pick(PoolSnapshot snapshot, HashOrder order, long hash, Backend avoid) {
        return walk(snapshot, order, hash, avoid, false, 0, 0);
    }

    /**
     * As {@link #pick}, except that a backend is acceptable only while it holds fewer active sessions
     * than its bound {@code ceil(capacity × weight / eligibleWeight)} (consistent hashing with bounded
     * loads, Mirrokni et al.; HAProxy's {@code chash_server_is_eligible()}). A full home backend is
     * walked past even with {@link HashFallback#REJECT}: reject is about affinity to a backend that
     * is down or being avoided, not about load. If every eligible backend is full (possible only
     * when several loops race past a bound, or when {@code avoid} holds few sessions), the first
     * eligible one met is returned: a client is not refused while backends are up.
     *
     * @param capacity       {@code bounded_load_factor × (active sessions + 1)}, over eligible backends
     * @param eligibleWeight sum of the snapshot weights of the eligible backends, above 0
     */
    static Backend pickBounded(PoolSnapshot snapshot, HashOrder order, long hash, Backend avoid, double capacity,
                               long eligibleWeight) {
        return walk(snapshot, order, hash, avoid, true, capacity, eligibleWeight);
    }

    private static Backend walk(PoolSnapshot snapshot, HashOrder order, long hash, Backend avoid, boolean bounded,
                                double capacity, long eligibleWeight) {
        int length = order.length();
        if (length == 0) {
            return null;
        }
        int position = order.home(hash);
        int index = order.backendAt(position);
        Backend home = snapshot.backend(index);
        boolean homeUsable = home != avoid && home.isEligible();
        if (homeUsable && (!bounded || underBound(snapshot, index, home, capacity, eligibleWeight))) {
            return home;
        }
        if (!homeUsable && snapshot.options().hashFallback() == HashFallback.REJECT) {
            return null;
        }
        // A pool that is all down would otherwise walk every slot of a 65537-slot table per client.
        if (!snapshot.anyEligible(avoid)) {
            return null;
        }
        Backend firstUsable = homeUsable ? home : null;
        int previous = index;
        // length - 1 steps visit every other position once; the home was checked above.
        for (int step = 1; step < length; step++) {
            position = position + 1 == length ? 0 : position + 1;
            index = order.backendAt(position);
            if (index == previous) {
                continue; // runs of one backend (ring points, table slots): it was just refused
            }
            previous = index;
            Backend candidate = snapshot.backend(index);
            if (candidate == avoid || !candidate.isEligible()) {
                continue;
            }
            if (!bounded || underBound(snapshot, index, candidate, capacity, eligibleWeight)) {
                return candidate;
            }
            if (firstUsable == null) {
                firstUsable = candidate;
            }
        }
        return firstUsable;
    }

    /**
     * Whether the backend holds fewer sessions than {@code ceil(capacity × weight / eligibleWeight)}.
     * Computed in that order so that a bound that is an integer in exact arithmetic (1.25 × 8 × 1 / 10)
     * is one in floating point too, and does not round up to the next integer.
     */
    private static boolean underBound(PoolSnapshot snapshot, int index, Backend backend, double capacity,
                                      long eligibleWeight) {
        double bound = Math.ceil(capacity * snapshot.weight(index) / eligibleWeight);
        return backend.activeSessions() < bound;
    }
}
