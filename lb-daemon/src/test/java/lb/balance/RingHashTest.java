package lb.balance;

import static lb.config.Algorithm.RING_HASH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import lb.config.BalancerOptions;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.PoolSnapshot;

/** {@code ring_hash}: the first point at or after the key, points by weight, minimal disruption. */
class RingHashTest {

    private static final int N = 10;
    private static final ClientKey[] CLIENTS = Placements.clients(100_000);

    @Test
    void pointCountFollowsWeightRelativeToTheHeaviest() {
        assertEquals(256, HashRing.pointCount(1, 4, 1024));
        assertEquals(512, HashRing.pointCount(2, 4, 1024));
        assertEquals(768, HashRing.pointCount(3, 4, 1024));
        assertEquals(1024, HashRing.pointCount(4, 4, 1024));
        assertEquals(342, HashRing.pointCount(1, 3, 1025), "341.67 rounds to nearest");
        assertEquals(1, HashRing.pointCount(1, 1000, 10), "0.01 still gets one point");
        assertEquals(0, HashRing.pointCount(0, 1000, 1024), "weight 0 gets none");
    }

    /** A backend's points are the hashes of "name#0", "name#1", ...: pinned so a change is seen. */
    @Test
    void pointsAreTheHashesOfNameAndReplica() {
        PoolSnapshot snapshot = TestPools.pool(RING_HASH.configName(), BalancerOptions.DEFAULTS, List.of("web-1"), 1).snapshot();
        HashRing ring = HashRing.of(snapshot, 1000);
        Set<Long> expected = new HashSet<>();
        for (int replica = 0; replica < 1000; replica++) {
            expected.add(HashRing.pointHash("web-1", replica));
        }
        Set<Long> actual = new HashSet<>();
        for (int p = 0; p < ring.length(); p++) {
            actual.add(ring.pointAt(p));
        }
        assertEquals(expected, actual);
        assertEquals(0x914F_CDA5_5760_08A1L, HashRing.pointHash("web-1", 0), "hash of \"web-1#0\", seed \"lbringpt\"");
    }

    /**
     * Lookups go by unsigned order and wrap: a key equal to a point lands on it, one above it on the
     * next point, one above the last point (or 2^64 - 1) on the first. Points are of both signs as
     * signed longs, so a signed comparison would misplace some of these.
     */
    @Test
    void keyLandsOnTheFirstPointAtOrAfterItUnsigned() {
        BackendPool pool = TestPools.pool(RING_HASH.configName(), BalancerOptions.DEFAULTS.withRingSize(4),
                List.of("a", "b"), 1, 1);
        Balancer ring = TestPools.balancer(pool);
        List<long[]> points = new ArrayList<>(); // {hash, owner}
        for (int owner = 0; owner < 2; owner++) {
            for (int replica = 0; replica < 4; replica++) {
                points.add(new long[] {HashRing.pointHash(owner == 0 ? "a" : "b", replica), owner});
            }
        }
        points.sort((x, y) -> Long.compareUnsigned(x[0], y[0]));
        boolean bothSigns = points.get(0)[0] >= 0 && points.get(points.size() - 1)[0] < 0;
        assertTrue(bothSigns, "the test needs points on both sides of 2^63");
        for (int p = 0; p < points.size(); p++) {
            String owner = points.get(p)[1] == 0 ? "a" : "b";
            long[] next = points.get((p + 1) % points.size());
            String nextOwner = next[1] == 0 ? "a" : "b";
            assertEquals(owner, ring.pick(TestPools.hashed(points.get(p)[0]), null).name(), "at point " + p);
            assertEquals(owner, ring.pick(TestPools.hashed(points.get(p)[0] - 1), null).name(), "before point " + p);
            assertEquals(nextOwner, ring.pick(TestPools.hashed(points.get(p)[0] + 1), null).name(), "after point " + p);
        }
        String first = points.get(0)[1] == 0 ? "a" : "b";
        assertEquals(first, ring.pick(TestPools.hashed(-1L), null).name(), "2^64 - 1 wraps to the first point");
        assertEquals(first, ring.pick(TestPools.hashed(0L), null).name(), "0 is before every point");
    }

    /** A backend's points depend only on its own name and relative weight, not on the others. */
    @Test
    void addingABackendLeavesTheOthersPointsUnchanged() {
        Map<Long, String> before = points(pool(Placements.names(N)));
        List<String> names = new ArrayList<>(Placements.names(N));
        names.add("b10");
        Map<Long, String> after = points(pool(names));
        assertEquals(N * BalancerOptions.DEFAULT_RING_SIZE, before.size());
        assertEquals((N + 1) * BalancerOptions.DEFAULT_RING_SIZE, after.size());
        for (Map.Entry<Long, String> point : before.entrySet()) {
            assertEquals(point.getValue(), after.get(point.getKey()), "point " + point.getKey());
        }
    }

    /**
     * Removing a backend moves its clients and no others: at most a tenth and 1% with the default
     * ring size of 1024 points per backend.
     */
    @Test
    void removingOneOfTenBackendsMovesOnlyItsClients() {
        String[] before = Placements.picks(pool(Placements.names(N)), CLIENTS);
        for (int removed = 0; removed < N; removed++) {
            List<String> names = new ArrayList<>(Placements.names(N));
            String gone = names.remove(removed);
            String[] after = Placements.picks(pool(names), CLIENTS);
            double moved = Placements.movedFraction(before, after);
            assertEquals(Placements.share(before, gone), moved, 1e-9, "only " + gone + "'s clients move");
            assertTrue(moved <= 1.0 / N + 0.01, "removing " + gone + " moved " + moved + " of clients");
        }
    }

    /** Adding a backend moves only the clients it takes over: at most an eleventh and 1%. */
    @Test
    void addingAnEleventhBackendMovesOnlyTheClientsItTakes() {
        String[] before = Placements.picks(pool(Placements.names(N)), CLIENTS);
        for (String added : List.of("b10", "b11", "new", "zz-last", "a-first")) {
            List<String> names = new ArrayList<>(Placements.names(N));
            names.add(added);
            String[] after = Placements.picks(pool(names), CLIENTS);
            double moved = Placements.movedFraction(before, after);
            assertEquals(Placements.share(after, added), moved, 1e-9, "only clients taken by " + added + " move");
            assertTrue(moved <= 1.0 / (N + 1) + 0.01, "adding " + added + " moved " + moved + " of clients");
        }
    }

    /**
     * Ring points are as good as random ones, and no better can be asked of a ring: each backend's
     * share of the ring (the arcs ending at its points) is within four standard deviations,
     * {@code sqrt(share × (1 - share) / points)}, of its weight's share. With the default 1024 points
     * that is an error of a few percent (weights 1, 2, 3, 4 get 0.094, 0.187, 0.326, 0.393); a larger
     * {@code ring_size} narrows it.
     */
    @Test
    void ringSharesFollowWeightsAsCloselyAsRandomPointsWould() {
        assertArcsFollowWeights(new int[] {1, 2, 3, 4}, BalancerOptions.DEFAULT_RING_SIZE);
        assertArcsFollowWeights(TestPools.equalWeights(N), BalancerOptions.DEFAULT_RING_SIZE);
        assertArcsFollowWeights(new int[] {1, 2, 3, 4}, 16_384);
    }

    @Test
    void independentlyBuiltPoolsPlaceClientsAlike() {
        String[] one = Placements.picks(pool(Placements.names(N)), CLIENTS);
        String[] two = Placements.picks(pool(Placements.names(N)), CLIENTS);
        assertEquals(0.0, Placements.movedFraction(one, two));
    }

    private static void assertArcsFollowWeights(int[] weights, int ringSize) {
        List<String> names = Placements.names(weights.length);
        BalancerOptions options = BalancerOptions.DEFAULTS.withRingSize(ringSize);
        PoolSnapshot snapshot = TestPools.pool(RING_HASH.configName(), options, names, weights).snapshot();
        HashRing ring = HashRing.of(snapshot, ringSize);
        double[] arcs = new double[weights.length];
        for (int p = 0; p < ring.length(); p++) {
            // The arc from the previous point (wrapping) to this one is this point's owner's.
            long arc = ring.pointAt(p) - ring.pointAt(p == 0 ? ring.length() - 1 : p - 1);
            arcs[ring.backendAt(p)] += Math.scalb((double) (arc >>> 1), -63); // unsigned, as a fraction of 2^64
        }
        long totalWeight = 0;
        for (int w : weights) {
            totalWeight += w;
        }
        for (int i = 0; i < weights.length; i++) {
            double expected = (double) weights[i] / totalWeight;
            double sigma = Math.sqrt(expected * (1 - expected) / ring.length());
            assertTrue(Math.abs(arcs[i] - expected) <= 4 * sigma, names.get(i) + " of weights "
                    + Arrays.toString(weights) + ", ring size " + ringSize + ": arcs " + arcs[i]
                    + ", weight share " + expected + ", sigma " + sigma);
        }
    }

    private static BackendPool pool(List<String> names) {
        return TestPools.pool(RING_HASH.configName(), BalancerOptions.DEFAULTS, names, TestPools.equalWeights(names.size()));
    }

    /** Every point of the pool's ring: hash to owner name. */
    private static Map<Long, String> points(BackendPool pool) {
        PoolSnapshot snapshot = pool.snapshot();
        HashRing ring = HashRing.of(snapshot, snapshot.options().ringSize());
        Map<Long, String> points = new HashMap<>();
        for (int p = 0; p < ring.length(); p++) {
            points.put(ring.pointAt(p), snapshot.backend(ring.backendAt(p)).name());
        }
        return points;
    }
}
