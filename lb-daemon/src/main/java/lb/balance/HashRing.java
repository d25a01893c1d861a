package lb.balance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import lb.pool.PoolSnapshot;

/**
 * Immutable; any thread. A consistent-hash ring (Karger et al.) with virtual nodes, the
 * {@link HashOrder} of {@code ring_hash} and {@code bounded_load}: each backend puts points on a
 * 64-bit circle, a key belongs to the first point at or after its hash, and the walk goes on to the
 * following points.
 *
 * <p>A backend's points depend only on its name and on its weight relative to the heaviest
 * backend's ({@link #pointCount}), never on the other backends: adding or removing a backend of
 * equal weight moves only the keys of that backend's arcs (Envoy's ring hash; HAProxy
 * {@code lb_chash.c}).
 */
final class HashRing implements HashOrder {

    /** Seed of the point hashes: "lbringpt" in ASCII. */
    static final long POINT_SEED = 0x6C62_7269_6E67_7074L;

    // Point hashes XOR Long.MIN_VALUE, ascending: signed order of the stored values is unsigned order
    // of the hashes, so the lookup is a plain binary search over longs.
    private final long[] points;
    private final int[] backendIndex;

    private HashRing(long[] points, int[] backendIndex) {
        this.points = points;
        this.backendIndex = backendIndex;
    }

    /** Control thread: the ring of {@code snapshot}'s backends with its captured weights. */
    static HashRing of(PoolSnapshot snapshot, int ringSize) {
        int[] canonical = HashOrder.canonical(snapshot);
        int maxWeight = snapshot.maxWeight();
        int total = 0;
        for (int index : canonical) {
            total += pointCount(snapshot.weight(index), maxWeight, ringSize);
        }
        long[] hashes = new long[total];
        int[] owners = new int[total];
        int next = 0;
        for (int index : canonical) {
            int count = pointCount(snapshot.weight(index), maxWeight, ringSize);
            byte[] name = snapshot.backend(index).name().getBytes(StandardCharsets.UTF_8);
            PointHasher hasher = new PointHasher(name);
            for (int replica = 0; replica < count; replica++) {
                hashes[next] = hasher.hash(replica) ^ Long.MIN_VALUE;
                owners[next] = index;
                next++;
            }
        }
        return sorted(hashes, owners);
    }

    /**
     * Points for a backend: {@code round(ringSize × weight / maxWeight)}, at least 1, in exact integer
     * arithmetic (half rounds up) so every host gets the same count; none for weight 0.
     */
    static int pointCount(int weight, int maxWeight, int ringSize) {
        if (weight <= 0) {
            return 0;
        }
        long rounded = (2L * ringSize * weight + maxWeight) / (2L * maxWeight);
        return (int) Math.max(1, rounded);
    }

    /** The hash of point {@code replica} of backend {@code name}: of the bytes of "name#replica". */
    static long pointHash(String name, int replica) {
        return Hashing.hash(name + "#" + replica, POINT_SEED);
    }

    @Override
    public int length() {
        return points.length;
    }

    @Override
    public int home(long hash) {
        // The first point at or after the key; past the last point the ring wraps to the first.
        int position = lowerBound(points, hash ^ Long.MIN_VALUE);
        return position == points.length ? 0 : position;
    }

    @Override
    public int backendAt(int position) {
        return backendIndex[position];
    }

    /** The hash of the point at {@code position}, for tests and diagnostics. */
    long pointAt(int position) {
        return points[position] ^ Long.MIN_VALUE;
    }

    /**
     * Sorts the points by unsigned hash. {@code hashes} come in the canonical order of their owners
     * ({@link HashOrder#canonical}), so for equal hashes (2^-64-unlikely, or two backends sharing a
     * name after a reload) the owner first in that order comes first: the ring does not depend on
     * the input order. Primitive arrays only: a ring may have millions of points.
     */
    private static HashRing sorted(long[] hashes, int[] owners) {
        long[] points = hashes.clone();
        Arrays.sort(points);
        int[] backendIndex = new int[points.length];
        Arrays.fill(backendIndex, -1);
        for (int p = 0; p < hashes.length; p++) {
            int position = lowerBound(points, hashes[p]);
            while (backendIndex[position] >= 0) {
                position++; // an equal hash placed before, by an owner earlier in canonical order
            }
            backendIndex[position] = owners[p];
        }
        return new HashRing(points, backendIndex);
    }

    /** The first index of {@code sorted} whose value is {@code >= key}, or its length. */
    private static int lowerBound(long[] sorted, long key) {
        int low = 0;
        int high = sorted.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (sorted[mid] < key) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /**
     * Control thread. Hashes "name#replica" as {@link #pointHash} does, writing the digits into one
     * buffer instead of building a string per point (a ring may have millions).
     */
    private static final class PointHasher {
        private final byte[] buffer;
        private final int prefix;

        PointHasher(byte[] name) {
            this.buffer = Arrays.copyOf(name, name.length + 1 + 10); // '#' and up to 10 digits
            this.buffer[name.length] = '#';
            this.prefix = name.length + 1;
        }

        long hash(int replica) {
            int digits = 1;
            for (int r = replica; r >= 10; r /= 10) {
                digits++;
            }
            int r = replica;
            for (int i = prefix + digits - 1; i >= prefix; i--) {
                buffer[i] = (byte) ('0' + r % 10);
                r /= 10;
            }
            return Hashing.hash(buffer, 0, prefix + digits, POINT_SEED);
        }
    }
}
