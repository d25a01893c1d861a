package lb.balance;

import lb.pool.Backend;
import lb.pool.PoolSnapshot;

/**
 * Owned by one EventLoop thread. {@code power_of_two}: two backends drawn at random by weight, as
 * {@link RandomPick} draws, and the one with fewer active sessions per unit of weight takes the
 * session; on a tie the first drawn, so with equal load the split follows the weights exactly.
 * Mitzenmacher's "power of two choices": nearly the balance of least connections, without a scan
 * per pick, and without every loop sending its next sessions to the one least-loaded backend at once.
 */
public final class PowerOfTwo implements Balancer {

    public static final String NAME = "power_of_two";

    /**
     * Table draws per choice before scanning the eligible backends instead. A few: a miss on a
     * mostly eligible pool is rare, and a pool with most backends out is better served by the scan.
     */
    static final int MAX_DRAWS = 4;

    private final PoolSnapshot snapshot;
    private final long[] cumulative;
    private long random;

    /**
     * @param cumulative {@link WeightedDraw#cumulative} of {@code snapshot}, shared by every loop
     * @param seed       the random state; loops must differ ({@link Balancers#seed})
     */
    PowerOfTwo(PoolSnapshot snapshot, long[] cumulative, long seed) {
        this.snapshot = snapshot;
        this.cumulative = cumulative;
        this.random = seed;
    }

    @Override
    public Backend pick(ClientKey client, Backend avoid) {
        int first = draw(avoid, -1);
        if (first < 0) {
            return null;
        }
        int second = draw(avoid, first);
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

    /** An eligible index other than {@code exclude} and {@code avoid}, drawn by weight; -1 if none. */
    private int draw(Backend avoid, int exclude) {
        long total = snapshot.totalWeight();
        if (total > 0) {
            for (int attempt = 0; attempt < MAX_DRAWS; attempt++) {
                int i = WeightedDraw.search(cumulative, WeightedDraw.below(nextRandom(), total));
                if (i != exclude && WeightedDraw.isCandidate(snapshot, i, avoid)) {
                    return i;
                }
            }
        }
        return WeightedDraw.drawEligible(snapshot, avoid, exclude, nextRandom());
    }

    private long nextRandom() {
        random += WeightedDraw.GOLDEN_GAMMA;
        return WeightedDraw.mix(random);
    }
}
