package lb.balance;

import java.util.Arrays;
import java.util.Comparator;

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
     * The snapshot's backend indices sorted by backend name. Every table and ring is built in this
     * order, so the same backends give the same table whatever their order in the config, in every
     * process on every host (Envoy's Maglev sorts its hosts for the same reason).
     */
    static int[] byName(PoolSnapshot snapshot) {
        Integer[] order = new Integer[snapshot.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // Names are unique within a pool (config validation), so the order is total.
        Arrays.sort(order, Comparator.comparing(i -> snapshot.backend(i).name()));
        int[] indices = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            indices[i] = order[i];
        }
        return indices;
    }
}
