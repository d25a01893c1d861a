package lb.balance;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import lb.config.BalancerOptions;
import lb.pool.AdminState;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.HealthState;
import lb.pool.PoolSnapshot;

/**
 * Test thread only. Counting picks and the eligibility checks every algorithm's test runs: a test
 * passes how it gets its balancer for a pool's current snapshot (from the registry, or seeded).
 */
final class Picks {

    /** The algorithms under test here ignore the client. */
    static final ClientKey CLIENT = TestPools.client("192.0.2.1", 40_000);
    /** Tolerance on a backend's share of the picks: 1 percentage point. */
    static final double SHARE_TOLERANCE = 0.01;

    private Picks() {
    }

    /** How many of {@code picks} picks went to each backend of {@code snapshot}; no session is placed. */
    static int[] count(Balancer balancer, PoolSnapshot snapshot, int picks) {
        int[] counts = new int[snapshot.size()];
        for (int i = 0; i < picks; i++) {
            Backend b = balancer.pick(CLIENT, null);
            assertNotNull(b, "pick " + i);
            counts[TestPools.indexOf(snapshot, b)]++;
        }
        return counts;
    }

    /** Each backend's share of {@code counts} is within {@link #SHARE_TOLERANCE} of its share of {@code weights}. */
    static void assertSharesFollow(int[] weights, int[] counts) {
        long totalWeight = Arrays.stream(weights).asLongStream().sum();
        long totalPicks = Arrays.stream(counts).asLongStream().sum();
        for (int i = 0; i < weights.length; i++) {
            double expected = (double) weights[i] / totalWeight;
            double observed = (double) counts[i] / totalPicks;
            assertTrue(Math.abs(observed - expected) <= SHARE_TOLERANCE, "b" + i + ": share " + observed + ", expected "
                    + expected + "; counts " + Arrays.toString(counts) + " for weights " + Arrays.toString(weights));
        }
    }

    /** Down, draining, disabled and weight-0 (republished) backends get no picks; the two left share them. */
    static void assertIneligibleNeverPicked(String algorithm, Function<BackendPool, Balancer> balancerOf) {
        BackendPool pool = TestPools.pool(algorithm, BalancerOptions.DEFAULTS, 5, 3, 4, 1, 2, 2);
        List<Backend> backends = pool.snapshot().backends();
        backends.get(0).healthState(HealthState.DOWN);
        backends.get(1).adminState(AdminState.DRAINING);
        backends.get(2).adminState(AdminState.DISABLED);
        backends.get(4).weight(0);
        pool.republish();

        Balancer balancer = balancerOf.apply(pool);
        int[] counts = count(balancer, pool.snapshot(), 10_000);
        assertTrue(counts[0] == 0 && counts[1] == 0 && counts[2] == 0 && counts[4] == 0,
                "ineligible backends picked: " + Arrays.toString(counts));
        assertTrue(counts[3] > 0 && counts[5] > 0, "both eligible backends used: " + Arrays.toString(counts));
    }

    /** With no backend eligible, whatever the reason, every pick is null. */
    static void assertNullWhenNoneEligible(String algorithm, Function<BackendPool, Balancer> balancerOf) {
        BackendPool pool = TestPools.pool(algorithm, BalancerOptions.DEFAULTS, 5, 3, 1, 1);
        List<Backend> backends = pool.snapshot().backends();
        backends.get(0).healthState(HealthState.DOWN);
        backends.get(1).adminState(AdminState.DRAINING);
        backends.get(2).adminState(AdminState.DISABLED);
        backends.get(3).weight(0);
        pool.republish();

        Balancer balancer = balancerOf.apply(pool);
        for (int i = 0; i < 1000; i++) {
            assertNull(balancer.pick(CLIENT, null), "pick " + i);
        }
    }

    /** {@code avoid} is never returned; when it is the only eligible backend the pick is null. */
    static void assertAvoidNeverReturned(String algorithm, Function<BackendPool, Balancer> balancerOf) {
        BackendPool pool = TestPools.pool(algorithm, BalancerOptions.DEFAULTS, 5, 3, 1);
        List<Backend> backends = pool.snapshot().backends();
        Balancer balancer = balancerOf.apply(pool);
        for (int i = 0; i < 9000; i++) {
            Backend avoid = backends.get(i % 3);
            Backend b = balancer.pick(CLIENT, avoid);
            assertNotNull(b, "pick " + i);
            assertNotSame(avoid, b, "pick " + i + " returned the backend to avoid");
        }

        backends.get(1).healthState(HealthState.DOWN);
        backends.get(2).adminState(AdminState.DRAINING);
        for (int i = 0; i < 1000; i++) {
            assertNull(balancer.pick(CLIENT, backends.get(0)), "pick " + i + ": only the avoided backend is eligible");
            assertSame(backends.get(0), balancer.pick(CLIENT, null), "pick " + i + ": the one eligible backend");
        }
    }
}
