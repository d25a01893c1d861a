package lb.balance;

import lb.config.HashKey;
import lb.pool.Backend;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.PoolSnapshot;

/**
 * Immutable; any thread (one instance serves every loop). {@code maglev}: consistent hashing with a
 * {@link MaglevTable} of {@code maglev_table_size} slots. A pick is one table lookup; the spread
 * follows the weights to within about 1% at the default size; a change of the backend set moves
 * little more than the changed backend's share of clients (paper §3.4, §5.3). Falls back to the
 * next slot's backend.
 */
public final class Maglev implements Balancer {

    private final PoolSnapshot snapshot;
    private final HashKey hashKey;
    private final HashOrder table;

    /** Control thread: fills the table once per snapshot (65537 slots: a few milliseconds). */
    public Maglev(PoolSnapshot snapshot) {
        this.snapshot = snapshot;
        this.hashKey = snapshot.options().hashKey();
        this.table = MaglevTable.of(snapshot, snapshot.options().maglevTableSize());
    }

    @Override
    public Backend pick(ClientKey client, Backend avoid) {
        return HashWalk.pick(snapshot, table, client.clientHash(hashKey), avoid);
    }
}
