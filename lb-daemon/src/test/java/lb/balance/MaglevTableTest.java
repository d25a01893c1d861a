package lb.balance;

import static lb.config.Algorithm.MAGLEV;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import lb.config.BalancerOptions;
import lb.pool.BackendPool;
import lb.pool.PoolSnapshot;

/**
 * The Maglev table as a pure function: pinned small tables (Katran's rings of 7 and 11), determinism
 * whatever the input order, shares of the table within 1% of the weights at the default size.
 */
class MaglevTableTest {

    private static final int SIZE = BalancerOptions.DEFAULT_MAGLEV_TABLE_SIZE;
    private static final List<String> ABC = List.of("a", "b", "c");

    /**
     * The preference lists behind the pinned tables below. Pinned too: a change of hash function or
     * seed shows here first, and the tables can be checked by hand from these.
     */
    @Test
    void offsetsAndSkipsComeFromTheSeededNameHashes() {
        // size 7: a prefers 5 0 2 4 6 1 3; b prefers 4 6 1 3 5 0 2; c prefers 1 4 0 3 6 2 5
        assertEquals(List.of(5, 4, 1), List.of(MaglevTable.offset("a", 7), MaglevTable.offset("b", 7),
                MaglevTable.offset("c", 7)));
        assertEquals(List.of(2, 2, 3), List.of(MaglevTable.skip("a", 7), MaglevTable.skip("b", 7),
                MaglevTable.skip("c", 7)));
        assertEquals(List.of(10, 7, 9), List.of(MaglevTable.offset("a", 11), MaglevTable.offset("b", 11),
                MaglevTable.offset("c", 11)));
        assertEquals(List.of(8, 4, 5), List.of(MaglevTable.skip("a", 11), MaglevTable.skip("b", 11),
                MaglevTable.skip("c", 11)));
    }

    @Test
    void equalWeightsTableOfSevenIsPinned() {
        // Round 1: a takes 5, b takes 4, c takes 1. Round 2: a takes 0, b takes 6, c finds 4 and 0
        // taken and takes 3. Round 3: a takes its next preference, 2, and the table is full.
        assertArrayEquals(new int[] {0, 2, 0, 2, 1, 0, 1}, MaglevTable.build(ABC, new int[] {1, 1, 1}, 7));
    }

    @Test
    void weightedTableOfSevenIsPinned() {
        // Weights 1, 2, 3 (max 3); a backend takes a turn in round r while filled × 3 < r × weight.
        // Round 1: a 5, b 4, c 1. Round 2: a sits out (3 >= 2), b 6, c 0 (4 taken).
        // Round 3: a sits out (3 >= 3), b sits out (6 >= 6), c 3. Round 4: a 2 (0 taken); full.
        assertArrayEquals(new int[] {2, 2, 0, 2, 1, 0, 1}, MaglevTable.build(ABC, new int[] {1, 2, 3}, 7));
    }

    @Test
    void tablesOfElevenArePinned() {
        assertArrayEquals(new int[] {1, 0, 2, 2, 0, 1, 0, 1, 1, 2, 0}, MaglevTable.build(ABC, new int[] {1, 1, 1}, 11));
        assertArrayEquals(new int[] {1, 1, 2, 2, 0, 1, 2, 1, 2, 2, 0}, MaglevTable.build(ABC, new int[] {1, 2, 3}, 11));
    }

    @Test
    void singleBackendFillsTheTable() {
        int[] table = MaglevTable.build(List.of("only"), new int[] {5}, 11);
        assertArrayEquals(new int[11], table);
    }

    @Test
    void weightZeroGetsNoSlot() {
        int[] table = MaglevTable.build(ABC, new int[] {2, 0, 1}, 101);
        for (int slot : table) {
            assertTrue(slot == 0 || slot == 2, "slot owned by " + slot);
        }
    }

    @Test
    void twoBuildsOfTheSameBackendsAreIdentical() {
        List<String> names = sortedNames(50);
        int[] weights = weights(50, 7);
        assertArrayEquals(MaglevTable.build(names, weights, SIZE), MaglevTable.build(names, weights.clone(), SIZE));
    }

    /** The config order must not matter: every lb host has to fill the same table. */
    @Test
    void configOrderDoesNotChangeTheTable() {
        List<String> names = sortedNames(20);
        int[] weights = weights(20, 11);
        List<Integer> shuffled = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            shuffled.add(i);
        }
        Collections.shuffle(shuffled, new Random(42));
        List<String> shuffledNames = new ArrayList<>();
        int[] shuffledWeights = new int[weights.length];
        for (int i = 0; i < shuffled.size(); i++) {
            shuffledNames.add(names.get(shuffled.get(i)));
            shuffledWeights[i] = weights[shuffled.get(i)];
        }
        BalancerOptions options = BalancerOptions.DEFAULTS;
        String[] inOrder = slotOwners(TestPools.pool(MAGLEV.configName(), options, names, weights));
        String[] outOfOrder = slotOwners(TestPools.pool(MAGLEV.configName(), options, shuffledNames, shuffledWeights));
        assertArrayEquals(inOrder, outOfOrder);
    }

    @Test
    void equalWeightsShareTheTableWithinOnePercent() {
        assertSharesFollowWeights(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
    }

    @Test
    void unequalWeightsShareTheTableWithinOnePercentOfTheirWeights() {
        assertSharesFollowWeights(new int[] {1, 2, 3, 4});
        assertSharesFollowWeights(new int[] {1, 2, 3, 4, 1, 2, 3, 4, 10, 100});
    }

    @Test
    void compositeSizeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(ABC, new int[] {1, 1, 1}, 65536));
    }

    @Test
    void unsortedNamesAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> MaglevTable.build(List.of("b", "a"), new int[] {1, 1}, 7));
    }

    @Test
    void allWeightsZeroIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(ABC, new int[] {0, 0, 0}, 7));
    }

    /** Each backend's slot count is within 1% (relative) of its weight's share of the table. */
    private static void assertSharesFollowWeights(int[] weights) {
        List<String> names = sortedNames(weights.length);
        int[] table = MaglevTable.build(names, weights, SIZE);
        int[] counts = new int[weights.length];
        for (int owner : table) {
            counts[owner]++;
        }
        long total = 0;
        for (int w : weights) {
            total += w;
        }
        for (int i = 0; i < weights.length; i++) {
            double expected = (double) SIZE * weights[i] / total;
            double deviation = Math.abs(counts[i] - expected) / expected;
            assertTrue(deviation <= 0.01, names.get(i) + " weight " + weights[i] + " has " + counts[i]
                    + " slots, expected " + expected + " (deviation " + deviation + ")");
        }
    }

    /** Backend names, sorted as {@link MaglevTable#build} wants them. */
    private static List<String> sortedNames(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(String.format("backend-%03d", i));
        }
        return names;
    }

    private static int[] weights(int n, long seed) {
        Random random = new Random(seed);
        int[] weights = new int[n];
        for (int i = 0; i < n; i++) {
            weights[i] = 1 + random.nextInt(10);
        }
        return weights;
    }

    /** The name of the backend owning each slot of the pool's Maglev table. */
    private static String[] slotOwners(BackendPool pool) {
        PoolSnapshot snapshot = pool.snapshot();
        MaglevTable table = MaglevTable.of(snapshot, snapshot.options().maglevTableSize());
        String[] owners = new String[table.length()];
        for (int s = 0; s < owners.length; s++) {
            owners[s] = snapshot.backend(table.backendAt(s)).name();
        }
        return owners;
    }
}
