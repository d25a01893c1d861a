package lb.balance;

import static lb.config.Algorithm.LEAST_CONN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.config.BalancerOptions;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.PoolSnapshot;

class LeastConnTest {

    private static void place(Backend backend, int sessions) {
        for (int i = 0; i < sessions; i++) {
            backend.onSessionPlaced();
        }
    }

    @Test
    void aBackendHoldingManyLongSessionsGetsNoNewOnes() {
        BackendPool pool = TestPools.pool(LEAST_CONN.configName(), BalancerOptions.DEFAULTS, 1, 1, 1, 1);
        Backend busy = pool.snapshot().backend(1);
        place(busy, 1000);
        Balancer balancer = TestPools.balancer(pool);
        for (int i = 0; i < 1000; i++) {
            Backend b = balancer.pick(Picks.CLIENT, null);
            assertNotSame(busy, b, "pick " + i);
            b.onSessionPlaced(); // the others fill up to about 333 each, still below 1000
        }
    }

    @Test
    void idleBackendsAreTakenInTurn() {
        BackendPool pool = TestPools.pool(LEAST_CONN.configName(), BalancerOptions.DEFAULTS, 5, 3, 1);
        assertEquals(List.of("b0", "b1", "b2", "b0", "b1", "b2"), names(TestPools.balancer(pool), 6));
    }

    @Test
    void loadsInProportionToWeightsAreATieAndTiesRotate() {
        BackendPool pool = TestPools.pool(LEAST_CONN.configName(), BalancerOptions.DEFAULTS, 2, 1);
        place(pool.snapshot().backend(0), 2);
        place(pool.snapshot().backend(1), 1);
        // 2 / 2 = 1 / 1: neither is less loaded, so the scan's starting point decides, and it moves.
        assertEquals(List.of("b0", "b1", "b0", "b1"), names(TestPools.balancer(pool), 4));
    }

    @Test
    void loadIsWeighedAgainstWeight() {
        BackendPool pool = TestPools.pool(LEAST_CONN.configName(), BalancerOptions.DEFAULTS, 3, 1);
        Backend heavy = pool.snapshot().backend(0);
        place(heavy, 5); // 5 / 3 sessions per unit of weight
        place(pool.snapshot().backend(1), 2); // 2 / 1: more loaded, despite fewer sessions
        Balancer balancer = TestPools.balancer(pool);
        for (int i = 0; i < 4; i++) {
            assertSame(heavy, balancer.pick(Picks.CLIENT, null), "pick " + i);
        }
    }

    @Test
    void placedSessionsSpreadByWeight() {
        int[] weights = {5, 3, 1, 1};
        BackendPool pool = TestPools.pool(LEAST_CONN.configName(), BalancerOptions.DEFAULTS, weights);
        PoolSnapshot snapshot = pool.snapshot();
        Balancer balancer = TestPools.balancer(pool);
        for (int i = 0; i < 100_000; i++) {
            balancer.pick(Picks.CLIENT, null).onSessionPlaced();
        }
        int[] active = new int[weights.length];
        for (int i = 0; i < weights.length; i++) {
            active[i] = snapshot.backend(i).activeSessions();
        }
        Picks.assertSharesFollow(weights, active);
    }

    private static List<String> names(Balancer balancer, int picks) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < picks; i++) {
            names.add(balancer.pick(Picks.CLIENT, null).name());
        }
        return names;
    }

    @Test
    void downDrainingDisabledAndZeroWeightBackendsAreNeverPicked() {
        Picks.assertIneligibleNeverPicked(LEAST_CONN.configName(), TestPools::balancer);
    }

    @Test
    void pickIsNullWhenNoBackendIsEligible() {
        Picks.assertNullWhenNoneEligible(LEAST_CONN.configName(), TestPools::balancer);
    }

    @Test
    void avoidIsNeverReturnedAndAloneMeansNull() {
        Picks.assertAvoidNeverReturned(LEAST_CONN.configName(), TestPools::balancer);
    }
}
