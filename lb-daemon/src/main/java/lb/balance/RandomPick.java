package lb.balance;

import lb.pool.Backend;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.PoolSnapshot;

/**
 * Owned by one EventLoop thread. {@code random}: a backend drawn at random in proportion to its
 * weight. One draw is a binary search of the snapshot's cumulative weights, shared read-only by all
 * loops; only when it lands on an ineligible backend or on {@code avoid} does a second draw scan the
 * eligible others ({@link WeightedRandom}).
 */
public final class RandomPick implements Balancer {

    private final PoolSnapshot snapshot;
    private final WeightedRandom random;

    /**
     * @param cumulative {@link WeightedDraw#cumulative} of {@code snapshot}, shared by every loop
     * @param seed       the random state; loops must differ ({@link Balancers#seed})
     */
    RandomPick(PoolSnapshot snapshot, long[] cumulative, long seed) {
        this.snapshot = snapshot;
        this.random = new WeightedRandom(snapshot, cumulative, seed);
    }

    @Override
    public Backend pick(ClientKey client, Backend avoid) {
        int i = random.draw(avoid, -1, 1);
        return i < 0 ? null : snapshot.backend(i);
    }
}
