package lb.balance;

import static lb.config.Algorithm.BOUNDED_LOAD;
import static lb.config.Algorithm.RING_HASH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import lb.config.BalancerOptions;
import lb.config.HashFallback;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.HealthState;
import lb.pool.PoolSnapshot;

/**
 * {@code bounded_load}: under a skewed stream of keys no backend passes
 * {@code ceil(c × total × weight / totalWeight)} sessions, while a lightly loaded pool places every
 * key exactly as {@code ring_hash}.
 */
class BoundedLoadTest {

    private static final int SESSIONS = 5000;
    private static final int KEYS = 1000;
    private static final double ZIPF_EXPONENT = 1.1;
    private static final ClientKey[] CLIENTS = Placements.clients(100_000);

    static Stream<Arguments> factorsAndWeights() {
        int[] equal = TestPools.equalWeights(8);
        int[] unequal = {1, 2, 3, 4, 1, 2, 3, 4};
        return Stream.of(Arguments.of(1.25, equal), Arguments.of(1.0, equal), Arguments.of(1.25, unequal),
                Arguments.of(1.0, unequal));
    }

    /**
     * Places sessions one by one for Zipf-distributed keys (the hottest key alone is about a fifth of
     * them), releasing a random earlier session before a quarter of the placements; after every
     * placement, every backend is within its bound. The same stream under {@code ring_hash} passes
     * the bound, so the test does exercise the spill.
     */
    @ParameterizedTest
    @MethodSource("factorsAndWeights")
    void skewedKeysNeverPushABackendPastItsBound(double factor, int[] weights) {
        BalancerOptions options = BalancerOptions.DEFAULTS.withBoundedLoadFactor(factor);
        BackendPool pool = TestPools.pool(BOUNDED_LOAD.configName(), options, weights);
        PoolSnapshot snapshot = pool.snapshot();
        Balancer bounded = TestPools.balancer(pool);
        Balancer ring = TestPools.balancer(TestPools.pool(RING_HASH.configName(), options, weights));
        long totalWeight = snapshot.totalWeight();
        double[] zipf = zipfCumulative();
        Random random = new Random(20_240_601L);

        int[] boundedOn = new int[SESSIONS]; // backend index of each active session, both ways
        int[] ringOn = new int[SESSIONS];
        int[] ringLoad = new int[weights.length];
        int active = 0;
        int spilled = 0;
        boolean ringPassedTheBound = false;
        for (int step = 0; step < SESSIONS; step++) {
            if (active > 0 && random.nextInt(4) == 0) {
                int j = random.nextInt(active);
                snapshot.backend(boundedOn[j]).onSessionReleased();
                ringLoad[ringOn[j]]--;
                active--;
                boundedOn[j] = boundedOn[active];
                ringOn[j] = ringOn[active];
            }
            ClientKey client = CLIENTS[zipfKey(zipf, random)];
            Backend picked = bounded.pick(client, null);
            picked.onSessionPlaced();
            int ringPick = Integer.parseInt(ring.pick(client, null).name().substring(1)); // b<i> is index i
            boundedOn[active] = TestPools.indexOf(snapshot, picked);
            ringOn[active] = ringPick;
            ringLoad[ringPick]++;
            active++;
            if (boundedOn[active - 1] != ringPick) {
                spilled++;
            }
            for (int i = 0; i < weights.length; i++) {
                // Evaluated as the balancer evaluates it: (c × total) × w / W.
                double bound = Math.ceil(factor * active * weights[i] / totalWeight);
                int load = snapshot.backend(i).activeSessions();
                assertTrue(load <= bound, "after placement " + step + ", b" + i + " has " + load
                        + " sessions, bound " + bound + " (c " + factor + ", " + active + " active)");
                ringPassedTheBound |= ringLoad[i] > bound;
            }
        }
        assertTrue(spilled > 0, "some keys spilled off their ring_hash backend");
        assertTrue(ringPassedTheBound, "ring_hash alone would have passed the bound");
    }

    @Test
    void idlePoolPlacesEveryKeyAsRingHash() {
        int[] weights = {1, 2, 3, 4, 1, 2, 3, 4};
        String[] bounded = Placements.picks(TestPools.pool(BOUNDED_LOAD.configName(), BalancerOptions.DEFAULTS, weights),
                CLIENTS);
        String[] ring = Placements.picks(TestPools.pool(RING_HASH.configName(), BalancerOptions.DEFAULTS, weights), CLIENTS);
        assertEquals(0.0, Placements.movedFraction(ring, bounded));
    }

    /** One session on each of ten backends: the bound, ceil(1.25 × 11 / 10) = 2, is not reached. */
    @Test
    void lightlyLoadedPoolPlacesEveryKeyAsRingHash() {
        int[] weights = TestPools.equalWeights(10);
        BackendPool pool = TestPools.pool(BOUNDED_LOAD.configName(), BalancerOptions.DEFAULTS, weights);
        for (Backend b : pool.snapshot().backends()) {
            b.onSessionPlaced();
        }
        String[] bounded = Placements.picks(pool, CLIENTS);
        String[] ring = Placements.picks(TestPools.pool(RING_HASH.configName(), BalancerOptions.DEFAULTS, weights), CLIENTS);
        assertEquals(0.0, Placements.movedFraction(ring, bounded));
    }

    /** reject is about a home backend that is down or avoided; a full one is walked past. */
    @Test
    void rejectStillWalksPastAFullHomeBackend() {
        BalancerOptions options = BalancerOptions.DEFAULTS.withBoundedLoadFactor(1.0)
                .withHashFallback(HashFallback.REJECT);
        BackendPool pool = TestPools.pool(BOUNDED_LOAD.configName(), options, TestPools.equalWeights(4));
        Balancer balancer = TestPools.balancer(pool);
        ClientKey client = CLIENTS[0];
        Backend home = balancer.pick(client, null);
        home.onSessionPlaced();
        home.onSessionPlaced(); // 2 sessions; the bound for the next one is ceil(1.0 × 3 / 4) = 1
        Backend next = balancer.pick(client, null);
        assertNotNull(next, "a full home backend is not a reason to refuse");
        assertNotEquals(home, next);
        home.healthState(HealthState.DOWN);
        assertNull(balancer.pick(client, null), "a down home backend is, with reject");
    }

    /**
     * When the only backend a retry may use is full (the one it must avoid holding the spare
     * capacity), the retry still gets it: a client is not refused while a backend is up.
     */
    @Test
    void fullBackendStillTakesARetryWhenNoOtherIsLeft() {
        BackendPool pool = TestPools.pool(BOUNDED_LOAD.configName(), BalancerOptions.DEFAULTS.withBoundedLoadFactor(1.0),
                TestPools.equalWeights(2));
        Backend idle = pool.snapshot().backend(0);
        Backend busy = pool.snapshot().backend(1);
        for (int i = 0; i < 3; i++) {
            busy.onSessionPlaced(); // bound ceil(1.0 × 4 / 2) = 2: full
        }
        Balancer balancer = TestPools.balancer(pool);
        for (int i = 0; i < 100; i++) {
            assertSame(idle, balancer.pick(CLIENTS[i], null), "client " + i + ": the busy backend is full");
            assertSame(busy, balancer.pick(CLIENTS[i], idle), "client " + i + ": retry avoiding the idle one");
        }
    }

    /** P(key k) in proportion to 1 / (k + 1)^s: entry k is P(key <= k). */
    private static double[] zipfCumulative() {
        double[] cumulative = new double[KEYS];
        double sum = 0;
        for (int k = 0; k < KEYS; k++) {
            sum += 1 / Math.pow(k + 1, ZIPF_EXPONENT);
            cumulative[k] = sum;
        }
        for (int k = 0; k < KEYS; k++) {
            cumulative[k] /= sum;
        }
        return cumulative;
    }

    private static int zipfKey(double[] cumulative, Random random) {
        double u = random.nextDouble();
        int low = 0;
        int high = cumulative.length - 1;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (cumulative[mid] > u) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }
}
