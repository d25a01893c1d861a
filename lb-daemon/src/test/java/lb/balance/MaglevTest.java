package lb.balance;

import static lb.config.Algorithm.MAGLEV;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.config.BalancerOptions;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.ClientKey;

/** {@code maglev}: a table lookup per key, minimal disruption, shares that follow the weights. */
class MaglevTest {

    private static final int N = 10;
    private static final ClientKey[] CLIENTS = Placements.clients(100_000);

    @Test
    void keyLandsOnSlotHashModuloTableSizeUnsigned() {
        BackendPool pool = TestPools.pool(MAGLEV.configName(), BalancerOptions.DEFAULTS.withMaglevTableSize(7),
                List.of("a", "b", "c"), 1, 1, 1);
        Balancer maglev = TestPools.balancer(pool);
        String[] table = {"a", "c", "a", "c", "b", "a", "b"}; // MaglevTableTest's pinned table of 7
        for (int slot = 0; slot < 7; slot++) {
            assertEquals(table[slot], maglev.pick(TestPools.hashed(slot), null).name(), "hash " + slot);
            assertEquals(table[slot], maglev.pick(TestPools.hashed(slot + 7 * 1000), null).name());
        }
        // 2^64 - 1 = 1 (mod 7); as a signed long it is -1, whose signed remainder would be -1.
        assertEquals("c", maglev.pick(TestPools.hashed(-1L), null).name());
    }

    @Test
    void removingOneOfTenBackendsMovesAtMostATenthAndOnePercentOfClients() {
        String[] before = Placements.picks(pool(Placements.names(N)), CLIENTS);
        for (int removed = 0; removed < N; removed++) {
            List<String> names = new ArrayList<>(Placements.names(N));
            String gone = names.remove(removed);
            double moved = Placements.movedFraction(before, Placements.picks(pool(names), CLIENTS));
            assertTrue(moved <= 1.0 / N + 0.01, "removing " + gone + " moved " + moved + " of clients");
        }
    }

    @Test
    void addingAnEleventhBackendMovesAtMostAnEleventhAndOnePercentOfClients() {
        String[] before = Placements.picks(pool(Placements.names(N)), CLIENTS);
        for (String added : List.of("b10", "b11", "new", "zz-last", "a-first")) {
            List<String> names = new ArrayList<>(Placements.names(N));
            names.add(added);
            double moved = Placements.movedFraction(before, Placements.picks(pool(names), CLIENTS));
            assertTrue(moved <= 1.0 / (N + 1) + 0.01, "adding " + added + " moved " + moved + " of clients");
        }
    }

    @Test
    void equalWeightsShareClientsWithinOnePercent() {
        assertClientSharesFollowWeights(TestPools.equalWeights(N));
    }

    @Test
    void unequalWeightsShareClientsWithinOnePercentOfTheirWeights() {
        assertClientSharesFollowWeights(new int[] {1, 2, 3, 4});
    }

    /** The same pool built twice (two processes, two hosts) places every client alike. */
    @Test
    void independentlyBuiltPoolsPlaceClientsAlike() {
        String[] one = Placements.picks(pool(Placements.names(N)), CLIENTS);
        String[] two = Placements.picks(pool(Placements.names(N)), CLIENTS);
        assertEquals(0.0, Placements.movedFraction(one, two));
    }

    /** Each backend's share of 100,000 clients is within 1 percentage point of its weight's share. */
    private static void assertClientSharesFollowWeights(int[] weights) {
        List<String> names = Placements.names(weights.length);
        String[] picks = Placements.picks(TestPools.pool(MAGLEV.configName(), BalancerOptions.DEFAULTS, names, weights),
                CLIENTS);
        Picks.assertSharesFollow(weights, Placements.counts(picks, names));
    }

    private static BackendPool pool(List<String> names) {
        return TestPools.pool(MAGLEV.configName(), BalancerOptions.DEFAULTS, names, TestPools.equalWeights(names.size()));
    }
}
