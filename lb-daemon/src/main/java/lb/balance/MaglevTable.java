package lb.balance;

import java.util.Arrays;
import java.util.List;

import lb.config.BalancerOptions;
import lb.pool.PoolSnapshot;

/**
 * Immutable; any thread. A Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable
 * Software Network Load Balancer", NSDI 2016, §3.4), the {@link HashOrder} of {@code maglev}: a key
 * lands on slot {@code hash mod M} and the walk goes on to the next slots.
 *
 * <p>{@link #build} is a pure function of the backends' names and weights and the prime size, as
 * Katran's {@code CHHelpers}: no positions, processes, hosts or clocks go in, so every lb host with
 * the same pool fills the same table, and its clients reach the same backends behind ECMP.
 */
final class MaglevTable implements HashOrder {

    /** Seed of a backend's offset hash: "mgoffset" in ASCII. */
    static final long OFFSET_SEED = 0x6D67_6F66_6673_6574L;
    /** Seed of a backend's skip hash, a different seed so offset and skip are independent: "mgskipsd". */
    static final long SKIP_SEED = 0x6D67_736B_6970_7364L;

    private static final MaglevTable EMPTY = new MaglevTable(new int[0]);

    // slot -> snapshot index of the backend.
    private final int[] slots;

    private MaglevTable(int[] slots) {
        this.slots = slots;
    }

    /** Control thread: the table of {@code snapshot}'s backends with its captured weights. */
    static MaglevTable of(PoolSnapshot snapshot, int size) {
        if (snapshot.maxWeight() <= 0) {
            return EMPTY; // every weight 0: no backend may take new sessions
        }
        int[] canonical = HashOrder.canonical(snapshot);
        String[] names = new String[canonical.length];
        int[] weights = new int[canonical.length];
        for (int i = 0; i < canonical.length; i++) {
            names[i] = snapshot.backend(canonical[i]).name();
            weights[i] = snapshot.weight(canonical[i]);
        }
        int[] slots = build(List.of(names), weights, size);
        for (int s = 0; s < slots.length; s++) {
            slots[s] = canonical[slots[s]]; // canonical order -> snapshot order, for the picks
        }
        return new MaglevTable(slots);
    }

    /**
     * Fills a table of {@code size} slots, each the index in {@code names} of the backend owning it.
     *
     * <p>Each backend prefers the slots {@code offset, offset + skip, offset + 2·skip, ... (mod size)}
     * (a permutation of all slots, as {@code size} is prime and {@code 0 < skip < size}). The table is
     * filled in rounds, backends in the order given ({@link HashOrder#canonical}); in round {@code r}
     * a backend takes a turn, claiming its next preferred slot that is still free, while
     * {@code filled × maxWeight < r × weight}, so the heaviest backend takes one slot a round and one
     * of a third of its weight one every third round (the paper's weighted variant; Katran
     * {@code MaglevHashV2}, Envoy {@code maglev_lb.cc}).
     * Integer arithmetic only, so every host fills the same table.
     *
     * @param names   backend names in ascending order (the order is part of the result); a name may
     *                repeat (after a reload, see {@link HashOrder#canonical}): such backends share
     *                a preference list and take its free slots in turn
     * @param weights their weights, {@code >= 0}, at least one above 0; weight 0 gets no slot
     * @param size    a prime; at least 100 × the backends keeps shares within about 1% of weights
     */
    static int[] build(List<String> names, int[] weights, int size) {
        int n = names.size();
        if (weights.length != n) {
            throw new IllegalArgumentException(n + " names, " + weights.length + " weights");
        }
        if (!BalancerOptions.isPrime(size)) {
            // A composite size would let a skip share a factor with it: a preference list that
            // misses slots, and a fill that never ends.
            throw new IllegalArgumentException("table size " + size + " is not a prime");
        }
        int maxWeight = 0;
        for (int i = 0; i < n; i++) {
            if (i > 0 && names.get(i - 1).compareTo(names.get(i)) > 0) {
                throw new IllegalArgumentException("names not ascending at " + names.get(i));
            }
            if (weights[i] < 0) {
                throw new IllegalArgumentException("negative weight for " + names.get(i));
            }
            maxWeight = Math.max(maxWeight, weights[i]);
        }
        if (maxWeight == 0) {
            throw new IllegalArgumentException("no backend with a weight above 0");
        }
        int[] skip = new int[n];
        int[] next = new int[n]; // each backend's next preferred slot
        for (int i = 0; i < n; i++) {
            next[i] = offset(names.get(i), size);
            skip[i] = skip(names.get(i), size);
        }
        long[] filled = new long[n];
        int[] table = new int[size];
        Arrays.fill(table, -1);
        int placed = 0;
        // The heaviest backend takes a slot every round, so this ends after at most size rounds.
        for (long round = 1; ; round++) {
            for (int i = 0; i < n; i++) {
                if (filled[i] * maxWeight >= round * weights[i]) {
                    continue; // ahead of its weight: sits this round out
                }
                int slot = next[i];
                while (table[slot] >= 0) {
                    slot = advance(slot, skip[i], size);
                }
                table[slot] = i;
                next[i] = advance(slot, skip[i], size);
                filled[i]++;
                if (++placed == size) {
                    return table;
                }
            }
        }
    }

    /** The first slot backend {@code name} prefers: {@code h1(name) mod size}. */
    static int offset(String name, int size) {
        return (int) Long.remainderUnsigned(Hashing.hash(name, OFFSET_SEED), size);
    }

    /** The step between the slots backend {@code name} prefers: {@code h2(name) mod (size - 1) + 1}. */
    static int skip(String name, int size) {
        return (int) Long.remainderUnsigned(Hashing.hash(name, SKIP_SEED), size - 1) + 1;
    }

    private static int advance(int slot, int skip, int size) {
        int next = slot + skip; // both below size <= 5,000,011: no overflow
        return next >= size ? next - size : next;
    }

    @Override
    public int length() {
        return slots.length;
    }

    @Override
    public int home(long hash) {
        return (int) Long.remainderUnsigned(hash, slots.length);
    }

    @Override
    public int backendAt(int position) {
        return slots[position];
    }
}
