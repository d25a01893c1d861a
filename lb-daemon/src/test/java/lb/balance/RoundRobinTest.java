package lb.balance;

import static lb.config.Algorithm.ROUND_ROBIN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.config.BalancerOptions;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.HealthState;

class RoundRobinTest {

    private static final int PICKS = 100_000;

    @Test
    void sharesAreEqualWhateverTheWeights() {
        BackendPool pool = TestPools.pool(ROUND_ROBIN.configName(), BalancerOptions.DEFAULTS, 5, 3, 1, 1);
        int[] counts = Picks.count(TestPools.balancer(pool), pool.snapshot(), PICKS);
        Picks.assertSharesFollow(TestPools.equalWeights(4), counts);
    }

    @Test
    void equalWeightsGiveEqualShares() {
        BackendPool pool = TestPools.pool(ROUND_ROBIN.configName(), BalancerOptions.DEFAULTS, TestPools.equalWeights(7));
        int[] counts = Picks.count(TestPools.balancer(pool), pool.snapshot(), PICKS);
        Picks.assertSharesFollow(TestPools.equalWeights(7), counts);
    }

    @Test
    void eligibleBackendsComeInTurnSkippingTheOthers() {
        BackendPool pool = TestPools.pool(ROUND_ROBIN.configName(), BalancerOptions.DEFAULTS, 1, 1, 1, 1);
        pool.snapshot().backend(2).healthState(HealthState.DOWN);
        Balancer balancer = TestPools.balancer(pool);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            names.add(balancer.pick(Picks.CLIENT, null).name());
        }
        assertEquals(List.of("b0", "b1", "b3", "b0", "b1", "b3"), names);
    }

    @Test
    void downDrainingDisabledAndZeroWeightBackendsAreNeverPicked() {
        Picks.assertIneligibleNeverPicked(ROUND_ROBIN.configName(), TestPools::balancer);
    }

    @Test
    void pickIsNullWhenNoBackendIsEligible() {
        Picks.assertNullWhenNoneEligible(ROUND_ROBIN.configName(), TestPools::balancer);
    }

    @Test
    void avoidIsNeverReturnedAndAloneMeansNull() {
        Picks.assertAvoidNeverReturned(ROUND_ROBIN.configName(), TestPools::balancer);
    }
}
