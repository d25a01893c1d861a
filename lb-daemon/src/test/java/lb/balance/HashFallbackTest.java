package lb.balance;

import static lb.config.Algorithm.BOUNDED_LOAD;
import static lb.config.Algorithm.MAGLEV;
import static lb.config.Algorithm.RING_HASH;
import static lb.config.Algorithm.SOURCE_HASH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import lb.config.BalancerOptions;
import lb.config.HashFallback;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.HealthState;

/**
 * {@code hash_fallback} for every hashing algorithm, on an idle pool: {@code next} walks on from an
 * unusable home backend to the same other backend every time (and in every process), moving no one
 * else; {@code reject} refuses; with no backend left, null; {@code avoid} is never returned.
 */
class HashFallbackTest {

    private static final ClientKey[] CLIENTS = Placements.clients(2000);
    private static final int[] WEIGHTS = {1, 2, 3, 1, 2};

    static Stream<String> hashing() {
        return Stream.of(SOURCE_HASH.configName(), RING_HASH.configName(), MAGLEV.configName(), BOUNDED_LOAD.configName());
    }

    @ParameterizedTest
    @MethodSource("hashing")
    void nextMovesOnlyTheDownBackendsClientsAndAlwaysToTheSameBackend(String algorithm) {
        BalancerOptions options = BalancerOptions.DEFAULTS.withHashFallback(HashFallback.NEXT);
        BackendPool pool = TestPools.pool(algorithm, options, WEIGHTS);
        List<String> reversedNames = new ArrayList<>(Placements.names(WEIGHTS.length));
        Collections.reverse(reversedNames);
        BackendPool otherHost = TestPools.pool(algorithm, options, reversedNames, reversed(WEIGHTS));
        String[] home = Placements.picks(pool, CLIENTS);
        for (int down = 0; down < WEIGHTS.length; down++) {
            String downName = "b" + down;
            pool.snapshot().backend(down).healthState(HealthState.DOWN);
            backend(otherHost, downName).healthState(HealthState.DOWN);
            Balancer balancer = TestPools.balancer(pool);
            Balancer otherBalancer = TestPools.balancer(otherHost);
            int moved = 0;
            for (int i = 0; i < CLIENTS.length; i++) {
                Backend fallback = balancer.pick(CLIENTS[i], null);
                assertNotNull(fallback);
                assertTrue(fallback.isEligible(), algorithm + " picked " + fallback);
                if (!home[i].equals(downName)) {
                    assertEquals(home[i], fallback.name(), "client " + i + " was not on the down backend");
                    continue;
                }
                moved++;
                assertSame(fallback, balancer.pick(CLIENTS[i], null), "client " + i + ": same fallback again");
                assertEquals(fallback.name(), otherBalancer.pick(CLIENTS[i], null).name(),
                        "client " + i + ": same fallback in a pool listing the backends in another order");
            }
            assertTrue(moved > 0, downName + " had clients");
            pool.snapshot().backend(down).healthState(HealthState.UP);
            backend(otherHost, downName).healthState(HealthState.UP);
        }
    }

    /** A retry avoiding the home backend walks exactly as if the home backend were down. */
    @ParameterizedTest
    @MethodSource("hashing")
    void avoidingTheHomeBackendWalksAsIfItWereDown(String algorithm) {
        BackendPool pool = TestPools.pool(algorithm, BalancerOptions.DEFAULTS, WEIGHTS);
        Balancer balancer = TestPools.balancer(pool);
        for (int i = 0; i < CLIENTS.length; i++) {
            Backend home = balancer.pick(CLIENTS[i], null);
            Backend retry = balancer.pick(CLIENTS[i], home);
            assertNotNull(retry);
            assertNotEquals(home, retry, "client " + i + ": avoid returned");
            home.healthState(HealthState.DOWN);
            assertSame(retry, balancer.pick(CLIENTS[i], null), "client " + i);
            home.healthState(HealthState.UP);
        }
    }

    @ParameterizedTest
    @MethodSource("hashing")
    void rejectRefusesWhenTheHomeBackendIsDownOrAvoided(String algorithm) {
        BalancerOptions options = BalancerOptions.DEFAULTS.withHashFallback(HashFallback.REJECT);
        BackendPool pool = TestPools.pool(algorithm, options, WEIGHTS);
        String[] home = Placements.picks(pool, CLIENTS);
        Balancer balancer = TestPools.balancer(pool);
        Backend down = pool.snapshot().backend(2);
        down.healthState(HealthState.DOWN);
        int refused = 0;
        for (int i = 0; i < CLIENTS.length; i++) {
            Backend picked = balancer.pick(CLIENTS[i], null);
            if (home[i].equals(down.name())) {
                assertNull(picked, "client " + i + " hashes to the down backend");
                refused++;
            } else {
                assertEquals(home[i], picked.name(), "client " + i + " keeps its backend");
                assertNull(balancer.pick(CLIENTS[i], picked), "client " + i + ": its home avoided, no fallback");
            }
        }
        assertTrue(refused > 0, "the down backend had clients");
    }

    @ParameterizedTest
    @MethodSource("hashing")
    void everyBackendDownGivesNullWithEitherFallback(String algorithm) {
        for (HashFallback fallback : HashFallback.values()) {
            BackendPool pool = TestPools.pool(algorithm, BalancerOptions.DEFAULTS.withHashFallback(fallback), WEIGHTS);
            for (Backend b : pool.snapshot().backends()) {
                b.healthState(HealthState.DOWN);
            }
            Balancer balancer = TestPools.balancer(pool);
            for (int i = 0; i < CLIENTS.length; i++) {
                assertNull(balancer.pick(CLIENTS[i], null), fallback + " client " + i);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("hashing")
    void avoidIsNeverReturnedEvenWhenItIsTheOnlyEligibleBackend(String algorithm) {
        BackendPool pool = TestPools.pool(algorithm, BalancerOptions.DEFAULTS, WEIGHTS);
        List<Backend> backends = pool.snapshot().backends();
        for (int i = 1; i < backends.size(); i++) {
            backends.get(i).healthState(HealthState.DOWN);
        }
        Balancer balancer = TestPools.balancer(pool);
        for (int i = 0; i < CLIENTS.length; i++) {
            assertNull(balancer.pick(CLIENTS[i], backends.get(0)), "client " + i);
            assertSame(backends.get(0), balancer.pick(CLIENTS[i], null), "client " + i);
        }
    }

    private static Backend backend(BackendPool pool, String name) {
        for (Backend b : pool.snapshot().backends()) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        throw new AssertionError(name);
    }

    private static int[] reversed(int[] values) {
        int[] reversed = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            reversed[i] = values[values.length - 1 - i];
        }
        return reversed;
    }
}
