package lb.balance;

import lb.pool.Backend;
import lb.pool.PoolSnapshot;

/**
 * Owned by one EventLoop thread. The weighted random draw of {@link RandomPick} and
 * {@link PowerOfTwo}: a few draws on the snapshot's shared cumulative weights (a binary search
 * each), then, if they all landed where a pick may not go, one draw over the eligible backends
 * only. The random source is SplitMix64 in a plain field: unlike {@code java.util.Random} no CAS
 * per draw, and unlike {@code ThreadLocalRandom} a seed fixes the sequence for tests.
 */
final class WeightedRandom {

    private final PoolSnapshot snapshot;
    private final long[] cumulative;
    private long state;

    /**
     * @param cumulative {@link WeightedDraw#cumulative} of {@code snapshot}, shared by every loop
     * @param seed       the random state; loops must differ ({@link Balancers#seed})
     */
    WeightedRandom(PoolSnapshot snapshot, long[] cumulative, long seed) {
        this.snapshot = snapshot;
        this.cumulative = cumulative;
        this.state = seed;
    }

    /**
     * An index drawn by weight among the backends that may take a session now, other than
     * {@code avoid} and index {@code exclude} (-1 for none); -1 when there is none.
     *
     * @param tableDraws draws on the cumulative table before falling back to the eligible scan
     */
    int draw(Backend avoid, int exclude, int tableDraws) {
        long total = snapshot.totalWeight();
        if (total > 0) {
            for (int attempt = 0; attempt < tableDraws; attempt++) {
                int i = WeightedDraw.search(cumulative, WeightedDraw.below(next(), total));
                if (i != exclude && WeightedDraw.isCandidate(snapshot, i, avoid)) {
                    return i;
                }
            }
        }
        return WeightedDraw.drawEligible(snapshot, avoid, exclude, next());
    }

    private long next() {
        state += WeightedDraw.GOLDEN_GAMMA;
        return WeightedDraw.mix(state);
    }
}
