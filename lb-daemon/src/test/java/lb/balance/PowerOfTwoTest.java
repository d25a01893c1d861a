package lb.balance;

import static lb.config.Algorithm.POWER_OF_TWO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.config.BalancerOptions;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.HealthState;
import lb.pool.PoolSnapshot;

class PowerOfTwoTest {

    private static final int PICKS = 100_000;
    private static final long SEED = 0x5EED_0002L;

    /** The pool's current snapshot's balancer with a fixed seed (the registry seeds from the clock). */
    private static PowerOfTwo seeded(BackendPool pool, long seed) {
        PoolSnapshot snapshot = pool.snapshot();
        return new PowerOfTwo(snapshot, WeightedDraw.cumulative(snapshot), seed);
    }

    private static PowerOfTwo seeded(BackendPool pool) {
        return seeded(pool, SEED);
    }

    @Test
    void withEqualLoadSharesFollowTheWeights() {
        int[] weights = {5, 3, 1, 1};
        BackendPool pool = TestPools.pool(POWER_OF_TWO.configName(), BalancerOptions.DEFAULTS, weights);
        Picks.assertSharesFollow(weights, Picks.count(seeded(pool), pool.snapshot(), PICKS));
    }

    @Test
    void withEqualLoadEqualWeightsGiveEqualShares() {
        int[] weights = TestPools.equalWeights(5);
        BackendPool pool = TestPools.pool(POWER_OF_TWO.configName(), BalancerOptions.DEFAULTS, weights);
        Picks.assertSharesFollow(weights, Picks.count(seeded(pool), pool.snapshot(), PICKS));
    }

    @Test
    void aBackendHoldingManyLongSessionsGetsNoNewOnesWhileOthersAreIdle() {
        for (int[] weights : new int[][] {{1, 1, 1, 1}, {1, 10, 1}, {5, 3, 1, 1}}) {
            BackendPool pool = TestPools.pool(POWER_OF_TWO.configName(), BalancerOptions.DEFAULTS, weights);
            for (int i = 0; i < 1000; i++) {
                pool.snapshot().backend(1).onSessionPlaced();
            }
            // The second choice is always another backend, and any other is idle: it always wins.
            int[] counts = Picks.count(seeded(pool), pool.snapshot(), PICKS);
            assertEquals(0, counts[1], "weights " + Arrays.toString(weights) + ": " + Arrays.toString(counts));
        }
    }

    @Test
    void ofTwoBackendsTheLessLoadedAlwaysWins() {
        BackendPool pool = TestPools.pool(POWER_OF_TWO.configName(), BalancerOptions.DEFAULTS, 9, 1);
        Backend light = pool.snapshot().backend(1);
        pool.snapshot().backend(0).onSessionPlaced(); // 1 / 9 against 0 / 1
        PowerOfTwo balancer = seeded(pool);
        for (int i = 0; i < 10_000; i++) {
            assertSame(light, balancer.pick(Picks.CLIENT, null), "pick " + i);
        }
    }

    @Test
    void placedSessionsStayBalanced() {
        BackendPool pool = TestPools.pool(POWER_OF_TWO.configName(), BalancerOptions.DEFAULTS, TestPools.equalWeights(8));
        PoolSnapshot snapshot = pool.snapshot();
        PowerOfTwo balancer = seeded(pool);
        for (int i = 0; i < PICKS; i++) {
            balancer.pick(Picks.CLIENT, null).onSessionPlaced();
        }
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int i = 0; i < snapshot.size(); i++) {
            min = Math.min(min, snapshot.backend(i).activeSessions());
            max = Math.max(max, snapshot.backend(i).activeSessions());
        }
        // Random placement alone would spread by about ±100 here (one standard deviation).
        assertTrue(max - min <= 8, "active sessions from " + min + " to " + max);
    }

    @Test
    void withTheHeaviestDownTheOthersKeepTheirProportions() {
        BackendPool pool = TestPools.pool(POWER_OF_TWO.configName(), BalancerOptions.DEFAULTS, 5, 3, 1, 1);
        pool.snapshot().backend(0).healthState(HealthState.DOWN);
        int[] counts = Picks.count(seeded(pool), pool.snapshot(), PICKS);
        Picks.assertSharesFollow(new int[] {0, 3, 1, 1}, counts);
    }

    @Test
    void theSameSeedGivesTheSameSequenceAndAnotherSeedAnother() {
        BackendPool pool = TestPools.pool(POWER_OF_TWO.configName(), BalancerOptions.DEFAULTS, 5, 3, 1, 1);
        assertEquals(names(seeded(pool, 42)), names(seeded(pool, 42)));
        assertNotEquals(names(seeded(pool, 42)), names(seeded(pool, 43)));
    }

    private static List<String> names(Balancer balancer) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            names.add(balancer.pick(Picks.CLIENT, null).name());
        }
        return names;
    }

    @Test
    void downDrainingDisabledAndZeroWeightBackendsAreNeverPicked() {
        Picks.assertIneligibleNeverPicked(POWER_OF_TWO.configName(), PowerOfTwoTest::seeded);
    }

    @Test
    void pickIsNullWhenNoBackendIsEligible() {
        Picks.assertNullWhenNoneEligible(POWER_OF_TWO.configName(), PowerOfTwoTest::seeded);
    }

    @Test
    void avoidIsNeverReturnedAndAloneMeansNull() {
        Picks.assertAvoidNeverReturned(POWER_OF_TWO.configName(), PowerOfTwoTest::seeded);
    }
}
