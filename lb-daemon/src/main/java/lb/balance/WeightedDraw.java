package lb.balance;

import lb.pool.Backend;
import lb.pool.PoolSnapshot;

/**
 * Any thread (stateless). The parts of a weighted draw ({@link WeightedRandom}, {@link CumulativeWeights}):
 * a cumulative-weight table built once per snapshot, a binary search over it, SplitMix64's output
 * function, and the O(backends) draw over the eligible backends only, for when a table draw lands
 * where it may not pick. Also the test every weighted algorithm applies before picking a backend
 * ({@link #isCandidate}).
 */
final class WeightedDraw {

    /** SplitMix64's increment (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", 2014). */
    static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;

    private WeightedDraw() {
    }

    /**
     * Control thread: entry {@code i} is the sum of the snapshot's weights of backends {@code 0..i},
     * so a draw in {@code [0, totalWeight)} lands on each backend in proportion to its weight, and
     * a backend of weight 0 owns an empty interval and is never landed on.
     */
    static long[] cumulative(PoolSnapshot snapshot) {
        long[] cumulative = new long[snapshot.size()];
        long sum = 0;
        for (int i = 0; i < cumulative.length; i++) {
            sum += snapshot.weight(i);
            cumulative[i] = sum;
        }
        return cumulative;
    }

    /** The index of the first entry above {@code r}; {@code r} must be below the last entry. */
    static int search(long[] cumulative, long r) {
        int low = 0;
        int high = cumulative.length - 1;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (cumulative[mid] > r) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }

    /** SplitMix64's output function for the state after a {@link #GOLDEN_GAMMA} step. */
    static long mix(long state) {
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /**
     * A value in {@code [0, bound)} from 64 random bits. The modulo bias is below
     * {@code bound / 2^63}: weights are at most 1000 per backend, so it is far below anything a
     * distribution could show.
     */
    static long below(long random, long bound) {
        return (random >>> 1) % bound;
    }

    /**
     * The index of a backend drawn by weight among those now eligible, other than {@code avoid}
     * and index {@code exclude} (-1 for none), or -1 when there is none. Two scans, no table: it
     * runs only when a table draw missed, and eligibility is live, so a table of eligible backends
     * could not be prepared ahead.
     */
    static int drawEligible(PoolSnapshot snapshot, Backend avoid, int exclude, long random) {
        int n = snapshot.size();
        long sum = 0;
        for (int i = 0; i < n; i++) {
            if (i != exclude && isCandidate(snapshot, i, avoid)) {
                sum += snapshot.weight(i);
            }
        }
        if (sum == 0) {
            return -1;
        }
        long r = below(random, sum);
        int last = -1;
        for (int i = 0; i < n; i++) {
            if (i != exclude && isCandidate(snapshot, i, avoid)) {
                int weight = snapshot.weight(i);
                if (r < weight) {
                    return i;
                }
                r -= weight;
                last = i;
            }
        }
        // A backend counted by the first scan left between the scans (a control thread changed
        // its state); the last one still eligible stands in for it.
        return last;
    }

    /**
     * Whether backend {@code i} may take a new session now. Its weight in the snapshot counts too:
     * a backend raised from 0 but not yet republished has no share to be picked by.
     */
    static boolean isCandidate(PoolSnapshot snapshot, int i, Backend avoid) {
        Backend b = snapshot.backend(i);
        return b != avoid && snapshot.weight(i) > 0 && b.isEligible();
    }
}
