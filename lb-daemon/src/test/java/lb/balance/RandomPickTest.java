package lb.balance;

import static lb.config.Algorithm.RANDOM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.config.BalancerOptions;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.HealthState;
import lb.pool.PoolSnapshot;

class RandomPickTest {

    private static final int PICKS = 100_000;
    private static final long SEED = 0x5EED_0001L;

    /** The pool's current snapshot's balancer with a fixed seed (the registry seeds from the clock). */
    private static RandomPick seeded(BackendPool pool, long seed) {
        PoolSnapshot snapshot = pool.snapshot();
        return new RandomPick(snapshot, WeightedDraw.cumulative(snapshot), seed);
    }

    private static RandomPick seeded(BackendPool pool) {
        return seeded(pool, SEED);
    }

    @Test
    void sharesFollowTheWeights() {
        int[] weights = {5, 3, 1, 1};
        BackendPool pool = TestPools.pool(RANDOM.configName(), BalancerOptions.DEFAULTS, weights);
        Picks.assertSharesFollow(weights, Picks.count(seeded(pool), pool.snapshot(), PICKS));
    }

    @Test
    void equalWeightsGiveEqualShares() {
        int[] weights = TestPools.equalWeights(5);
        BackendPool pool = TestPools.pool(RANDOM.configName(), BalancerOptions.DEFAULTS, weights);
        Picks.assertSharesFollow(weights, Picks.count(seeded(pool), pool.snapshot(), PICKS));
    }

    @Test
    void withTheHeaviestDownTheOthersKeepTheirProportions() {
        BackendPool pool = TestPools.pool(RANDOM.configName(), BalancerOptions.DEFAULTS, 5, 3, 1, 1);
        pool.snapshot().backend(0).healthState(HealthState.DOWN); // half the table's draws miss
        int[] counts = Picks.count(seeded(pool), pool.snapshot(), PICKS);
        Picks.assertSharesFollow(new int[] {0, 3, 1, 1}, counts);
    }

    @Test
    void theSameSeedGivesTheSameSequenceAndAnotherSeedAnother() {
        BackendPool pool = TestPools.pool(RANDOM.configName(), BalancerOptions.DEFAULTS, 5, 3, 1, 1);
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
        Picks.assertIneligibleNeverPicked(RANDOM.configName(), RandomPickTest::seeded);
    }

    @Test
    void pickIsNullWhenNoBackendIsEligible() {
        Picks.assertNullWhenNoneEligible(RANDOM.configName(), RandomPickTest::seeded);
    }

    @Test
    void avoidIsNeverReturnedAndAloneMeansNull() {
        Picks.assertAvoidNeverReturned(RANDOM.configName(), RandomPickTest::seeded);
    }
}
