package lb.balance;

import lb.pool.Backend;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.PoolSnapshot;

/**
 * Owned by one EventLoop thread. {@code round_robin}: each eligible backend in turn, weights ignored.
 * The cursor is per loop, so with several loops the global order interleaves the loops' sequences;
 * each loop starts at a different offset so that a few sessions on a fresh daemon still spread.
 */
public final class RoundRobin implements Balancer {

    private final PoolSnapshot snapshot;
    private int next;

    public RoundRobin(PoolSnapshot snapshot, int loopIndex) {
        this.snapshot = snapshot;
        this.next = snapshot.size() == 0 ? 0 : loopIndex % snapshot.size();
    }

    @Override
    public Backend pick(ClientKey client, Backend avoid) {
        int n = snapshot.size();
        for (int i = 0; i < n; i++) {
            Backend candidate = snapshot.backend(next);
            next = next + 1 == n ? 0 : next + 1;
            if (candidate != avoid && candidate.isEligible()) {
                return candidate;
            }
        }
        return null;
    }
}
