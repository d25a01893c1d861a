package lb.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import lb.config.Algorithm;
import lb.config.BalancerOptions;
import lb.pool.AdminState;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.HealthState;

/** What every algorithm promises, whatever it is: only eligible backends, never {@code avoid}, no allocation. */
class BalancerContractTest {

    static final List<String> ALGORITHMS = List.of("bounded_load", "least_conn", "maglev", "power_of_two", "random",
            "ring_hash", "round_robin", "source_hash", "weighted_round_robin");
    private static final int CLIENTS = 4096;

    static Stream<String> algorithms() {
        return Algorithm.names().stream();
    }

    private static ClientKey[] clients() {
        ClientKey[] clients = new ClientKey[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            clients[i] = TestPools.client(i);
        }
        return clients;
    }

    @Test
    void everyDocumentedAlgorithmIsRegistered() {
        assertEquals(ALGORITHMS, Algorithm.names());
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void ineligibleBackendsAreNeverPicked(String algorithm) {
        BackendPool pool = TestPools.pool(algorithm, BalancerOptions.DEFAULTS, 1, 2, 3, 1, 2, 3);
        List<Backend> backends = pool.snapshot().backends();
        backends.get(1).healthState(HealthState.DOWN);
        backends.get(3).adminState(AdminState.DRAINING);
        backends.get(4).adminState(AdminState.DISABLED);
        backends.get(5).weight(0);
        pool.republish();
        Set<Backend> eligible = Set.of(backends.get(0), backends.get(2));

        Balancer balancer = TestPools.balancer(pool);
        ClientKey[] clients = clients();
        int[] picks = new int[backends.size()];
        for (int i = 0; i < 20_000; i++) {
            Backend b = balancer.pick(clients[i % CLIENTS], null);
            assertNotNull(b, "pick " + i + " found no backend with two eligible");
            assertTrue(eligible.contains(b), "pick " + i + " chose ineligible " + b);
            picks[backends.indexOf(b)]++;
            if (i % 2 == 0) {
                b.onSessionPlaced(); // some load, for the algorithms that look at it
            }
        }
        assertTrue(picks[0] > 0 && picks[2] > 0,
                "both eligible backends used: " + picks[0] + ", " + picks[2]);
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void withEveryBackendIneligiblePickReturnsNull(String algorithm) {
        BackendPool pool = TestPools.pool(algorithm, BalancerOptions.DEFAULTS, 1, 1, 2);
        for (Backend b : pool.snapshot().backends()) {
            b.healthState(HealthState.DOWN);
        }
        Balancer balancer = TestPools.balancer(pool);
        ClientKey[] clients = clients();
        for (int i = 0; i < 1000; i++) {
            assertNull(balancer.pick(clients[i], null), "pick " + i);
        }
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void avoidIsNeverReturnedAndAloneMeansNull(String algorithm) {
        BackendPool pool = TestPools.pool(algorithm, BalancerOptions.DEFAULTS, 3, 1, 1);
        List<Backend> backends = pool.snapshot().backends();
        Balancer balancer = TestPools.balancer(pool);
        ClientKey[] clients = clients();
        for (int i = 0; i < 5000; i++) {
            Backend avoid = backends.get(i % 3);
            Backend b = balancer.pick(clients[i % CLIENTS], avoid);
            assertNotNull(b, "pick " + i);
            assertNotSame(avoid, b, "pick " + i + " returned the backend to avoid");
        }
        backends.get(1).healthState(HealthState.DOWN);
        backends.get(2).healthState(HealthState.DOWN);
        for (int i = 0; i < 100; i++) {
            assertNull(balancer.pick(clients[i], backends.get(0)), "only the avoided backend is eligible");
            assertSame(backends.get(0), balancer.pick(clients[i], null), "the one eligible backend");
        }
    }

    /**
     * The data path allocates nothing per pick (the JMH benchmark in bench/ measures the same
     * with -prof gc; this catches a regression in every build).
     */
    @ParameterizedTest
    @MethodSource("algorithms")
    void pickAllocatesNothing(String algorithm) {
        BackendPool pool = TestPools.pool(algorithm, BalancerOptions.DEFAULTS, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1,
                2, 3, 4);
        pool.snapshot().backend(5).healthState(HealthState.DOWN); // exercise the fallbacks too
        Balancer balancer = TestPools.balancer(pool);
        ClientKey[] clients = clients();
        Backend avoid = pool.snapshot().backend(2);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int i = 0; i < 50_000; i++) { // warm up: the JIT may allocate while compiling
            sink += balancer.pick(clients[i % CLIENTS], (i & 7) == 0 ? avoid : null).hashCode();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            sink += balancer.pick(clients[i % CLIENTS], (i & 7) == 0 ? avoid : null).hashCode();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 4096, algorithm + " allocated " + allocated + " bytes over 100,000 picks (" + sink + ")");
    }
}
