package lb.balance;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;

import lb.pool.Backend;
import lb.pool.PoolSnapshot;

/**
 * Immutable; any thread. Where a key lands and where the walk goes from there, for one snapshot of
 * one pool: the positions of a hashing algorithm (the slots of a Maglev table, the points of a ring,
 * the backends of a cumulative-weight list), each naming a backend. Built once per snapshot off the
 * event loops and shared by every loop; {@link HashWalk} does the walking for all of them, so the
 * fallback and the bounded-load rule are written once.
 */
interface HashOrder {

    /** Positions, {@code 0..length()-1}; 0 when no backend has a position (every weight 0). */
    int length();

    /** The position {@code hash} (a client hash) lands on; only called when {@code length() > 0}. */
    int home(long hash);

    /** The snapshot index of the backend at {@code position}, {@code 0 <= position < length()}. */
    int backendAt(int position);

    /**
     * The snapshot's backend indices in canonical order: by name, then (for backends sharing a name)
     * by address bytes, then port. Every table and ring is built in this order, so the same backends
     * give the same table whatever their order in the config, in every process on every host
     * (Envoy's Maglev sorts its hosts for the same reason).
     *
     * <p>The name leads because it is what the hashes are of (ring points, Maglev offsets and skips):
     * ordering by the hashed key makes a table a function of the set of (name, weight) alone. The
     * address only breaks ties: names are unique in a config, but a reload keeps the name of a
     * backend whose address stays ({@code BackendPool.reconfigure}), so a config renaming
     * {@code a} to {@code x} and adding a new {@code a} leaves two backends named {@code a} in the
     * pool, whose order would otherwise be the order of the new file.
     */
    static int[] canonical(PoolSnapshot snapshot) {
        Integer[] order = new Integer[snapshot.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // Addresses are unique within a pool (config validation; add-backend and reload match by
        // address), so the order is total.
        Arrays.sort(order, (a, b) -> compareCanonically(snapshot.backend(a), snapshot.backend(b)));
        int[] indices = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            indices[i] = order[i];
        }
        return indices;
    }

    /**
     * Name; then address bytes, IPv4's 4 before IPv6's 16, as unsigned numbers; then port; then host
     * text, which decides only between unresolved addresses (resolved ones are equal once their
     * bytes and ports are). Nothing here depends on the host or the JVM: {@link String#compareTo}
     * compares UTF-16 code units, no locale.
     */
    private static int compareCanonically(Backend a, Backend b) {
        int byName = a.name().compareTo(b.name());
        if (byName != 0) {
            return byName;
        }
        byte[] ipA = addressBytes(a.address());
        byte[] ipB = addressBytes(b.address());
        if (ipA.length != ipB.length) {
            return Integer.compare(ipA.length, ipB.length);
        }
        int byIp = Arrays.compareUnsigned(ipA, ipB);
        if (byIp != 0) {
            return byIp;
        }
        int byPort = Integer.compare(a.address().getPort(), b.address().getPort());
        return byPort != 0 ? byPort : a.address().getHostString().compareTo(b.address().getHostString());
    }

    /** The address bytes, or none for an unresolved address. */
    private static byte[] addressBytes(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        return ip == null ? new byte[0] : ip.getAddress();
    }
}
