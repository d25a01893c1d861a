package lb.balance;

import lb.pool.Backend;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.PoolSnapshot;

/**
 * Owned by one EventLoop thread. {@code power_of_two}: two backends drawn at random by weight, as
 * {@link RandomPick} draws, and the one with fewer active sessions per unit of weight takes the
 * session; on a tie the first drawn, so with equal load the split follows the weights exactly.
 * Mitzenmacher's "power of two choices": nearly the balance of least connections, without a scan
 * per pick, and without every loop sending its next sessions to the one least-loaded backend at once.
 */
public final class PowerOfTwo implements Balancer {

    /**
     * Table draws per choice before scanning the eligible backends instead. A few: a miss on a
     * mostly eligible pool is rare, and a pool with most backends out is better served by the scan.
     */
    static final int MAX_DRAWS = 4;

    private final PoolSnapshot snapshot;
    private final WeightedRandom random;

    /**
     * @param cumulative {@link WeightedDraw#cumulative} of {@code snapshot}, shared by every loop
     * @param seed       the random state; loops must differ ({@link Balancers#seed})
     */
    PowerOfTwo(PoolSnapshot snapshot, long[] cumulative, long seed) {
        this.snapshot = snapshot;
        this.random = new WeightedRandom(snapshot, cumulative, seed);
    }

    @Override
    public Backend pick(ClientKey client, Backend avoid) {
        int first = random.draw(avoid, -1, MAX_DRAWS);
        if (first < 0) {
            return null;
        }
        int second = random.draw(avoid, first, MAX_DRAWS);
        if (second < 0) {
            return snapshot.backend(first); // the only one eligible
        }
        Backend a = snapshot.backend(first);
        Backend b = snapshot.backend(second);
        // b.active / w(b) < a.active / w(a), cross-multiplied: weights are positive, and the
        // products (at most 2^31 × 1000) fit in a long.
        long lhs = (long) b.activeSessions() * snapshot.weight(first);
        long rhs = (long) a.activeSessions() * snapshot.weight(second);
        return lhs < rhs ? b : a;
    }
}
