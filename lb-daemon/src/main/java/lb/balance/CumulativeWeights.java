package lb.balance;

import lb.pool.PoolSnapshot;

/**
 * Immutable; any thread. The {@link HashOrder} of {@code source_hash}: the backends in canonical
 * order ({@link HashOrder#canonical}: by name), each owning a run of {@code weight} consecutive values
 * of {@code [0, totalWeight)}, never by their position in the config. A key lands on the backend
 * owning {@code hash mod totalWeight}; the walk goes on to the next backend in that order.
 * Not consistent (a change of the set or of a weight moves most keys), but O(log n) per pick and
 * exactly in proportion to weight.
 */
final class CumulativeWeights implements HashOrder {

    private final int[] backendIndex;
    // ends[p] = the sum of the weights of positions 0..p: position p owns [ends[p-1], ends[p]).
    private final long[] ends;
    private final long totalWeight;

    private CumulativeWeights(int[] backendIndex, long[] ends, long totalWeight) {
        this.backendIndex = backendIndex;
        this.ends = ends;
        this.totalWeight = totalWeight;
    }

    /** Control thread: the order of {@code snapshot}'s backends with its captured weights. */
    static CumulativeWeights of(PoolSnapshot snapshot) {
        int[] canonical = HashOrder.canonical(snapshot);
        long[] ends = new long[canonical.length];
        long sum = 0;
        for (int p = 0; p < canonical.length; p++) {
            sum += snapshot.weight(canonical[p]);
            ends[p] = sum;
        }
        if (sum == 0) {
            // Every weight 0: no backend may take new sessions, and there is nothing to take a modulus of.
            return new CumulativeWeights(new int[0], new long[0], 0);
        }
        return new CumulativeWeights(canonical, ends, sum);
    }

    @Override
    public int length() {
        return backendIndex.length;
    }

    @Override
    public int home(long hash) {
        // Unsigned: half of all hashes are negative as signed longs.
        long value = Long.remainderUnsigned(hash, totalWeight);
        // The first position whose run ends above value (a weight-0 position's run is empty, so it
        // is never that position): the same search as the weighted random draws.
        return WeightedDraw.search(ends, value);
    }

    @Override
    public int backendAt(int position) {
        return backendIndex[position];
    }
}
