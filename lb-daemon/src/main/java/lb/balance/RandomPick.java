package lb.balance;

import lb.pool.Backend;
import lb.pool.PoolSnapshot;

/**
 * Owned by one EventLoop thread. {@code random}: a backend drawn at random in proportion to its
 * weight. One draw is a binary search of the snapshot's cumulative weights, shared read-only by all
 * loops; only when it lands on an ineligible backend or on {@code avoid} does a second draw scan the
 * eligible others. The random source is SplitMix64 in a plain field: unlike {@code java.util.Random}
 * no CAS per draw, and unlike {@code ThreadLocalRandom} a seed fixes the sequence for tests.
 */
public final class RandomPick implements Balancer {

    public static final String NAME = "random";

    private final PoolSnapshot snapshot;
    private final long[] cumulative;
    private long random;

    /**
     * @param cumulative {@link WeightedDraw#cumulative} of {@code snapshot}, shared by every loop
     * @param seed       the random state; loops must differ ({@link Balancers#seed})
     */
    RandomPick(PoolSnapshot snapshot, long[] cumulative, long seed) {
        this.snapshot = snapshot;
        this.cumulative = cumulative;
        this.random = seed;
    }

    @Override
    public Backend pick(ClientKey client, Backend avoid) {
        long total = snapshot.totalWeight();
        if (total > 0) {
            int i = WeightedDraw.search(cumulative, WeightedDraw.below(nextRandom(), total));
            if (WeightedDraw.isCandidate(snapshot, i, avoid)) {
                return snapshot.backend(i);
            }
        }
        int i = WeightedDraw.drawEligible(snapshot, avoid, -1, nextRandom());
        return i < 0 ? null : snapshot.backend(i);
    }

    private long nextRandom() {
        random += WeightedDraw.GOLDEN_GAMMA;
        return WeightedDraw.mix(random);
    }
}
