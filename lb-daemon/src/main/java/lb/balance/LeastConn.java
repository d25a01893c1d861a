package lb.balance;

import lb.pool.Backend;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.PoolSnapshot;

/**
 * Owned by one EventLoop thread. {@code least_conn}: the eligible backend with the fewest active
 * sessions per unit of weight (HAProxy's and nginx's weighted least connections). Active counts are
 * read live, across every loop, from {@link Backend#activeSessions()}.
 *
 * <p>Each scan starts one backend further on than the last, and the first minimum from there wins:
 * ties (common: every backend idle, or loads in proportion to weights) then rotate instead of all
 * going to the first backend in config order, which would pile a burst of new sessions onto it
 * before their counts show.
 */
public final class LeastConn implements Balancer {

    private final PoolSnapshot snapshot;
    private int next;

    public LeastConn(PoolSnapshot snapshot, int loopIndex) {
        this.snapshot = snapshot;
        // Loops start at different backends for the same reason as RoundRobin's.
        this.next = snapshot.size() == 0 ? 0 : loopIndex % snapshot.size();
    }

    @Override
    public Backend pick(ClientKey client, Backend avoid) {
        int n = snapshot.size();
        if (n == 0) {
            return null;
        }
        int start = next;
        next = next + 1 == n ? 0 : next + 1;
        Backend best = null;
        long bestActive = 0;
        long bestWeight = 1;
        for (int k = 0, i = start; k < n; k++, i = i + 1 == n ? 0 : i + 1) {
            if (!WeightedDraw.isCandidate(snapshot, i, avoid)) {
                continue;
            }
            Backend candidate = snapshot.backend(i);
            long active = candidate.activeSessions();
            long weight = snapshot.weight(i);
            // active / weight < bestActive / bestWeight, without division: weights are positive,
            // and the products (at most 2^31 × 1000) fit in a long.
            if (best == null || active * bestWeight < bestActive * weight) {
                best = candidate;
                bestActive = active;
                bestWeight = weight;
            }
        }
        return best;
    }
}
