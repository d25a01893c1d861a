package lb.balance;

import lb.pool.Backend;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.PoolSnapshot;

/**
 * Owned by one EventLoop thread. {@code weighted_round_robin}: nginx's smooth weighted round robin
 * ({@code ngx_http_upstream_get_peer}): each pick adds every eligible backend's weight to its current
 * weight, takes the highest (the first on a tie) and lowers it by the sum of the eligible weights.
 * Over a cycle of {@code totalWeight} picks each backend gets exactly its weight, interleaved, so the
 * heaviest backend never takes a burst: for weights 5, 1, 1 the cycle is a a b a c a a.
 */
public final class WeightedRoundRobin implements Balancer {

    private final PoolSnapshot snapshot;
    // Starts at zero, as nginx's; the sum over eligible backends stays zero after every pick.
    private final long[] current;

    public WeightedRoundRobin(PoolSnapshot snapshot, int loopIndex) {
        this.snapshot = snapshot;
        this.current = new long[snapshot.size()];
        // Each loop starts loopIndex picks into the cycle, so that a few sessions on a fresh daemon
        // spread over the backends instead of every loop sending its first ones to the heaviest.
        if (snapshot.totalWeight() > 0) {
            long skip = loopIndex % snapshot.totalWeight();
            for (long i = 0; i < skip; i++) {
                step(null, false);
            }
        }
    }

    @Override
    public Backend pick(ClientKey client, Backend avoid) {
        int best = step(avoid, true);
        return best < 0 ? null : snapshot.backend(best);
    }

    /** One round of nginx's update; {@code live} false counts every backend of positive weight. */
    private int step(Backend avoid, boolean live) {
        int n = snapshot.size();
        long total = 0;
        int best = -1;
        for (int i = 0; i < n; i++) {
            int weight = snapshot.weight(i);
            if (live ? !WeightedDraw.isCandidate(snapshot, i, avoid) : weight == 0) {
                continue;
            }
            current[i] += weight;
            total += weight;
            if (best < 0 || current[i] > current[best]) {
                best = i;
            }
        }
        if (best >= 0) {
            current[best] -= total;
        }
        return best;
    }
}
