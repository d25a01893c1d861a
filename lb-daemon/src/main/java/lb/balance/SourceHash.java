package lb.balance;

import lb.config.HashKey;
import lb.pool.Backend;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.PoolSnapshot;

/**
 * Immutable; any thread (one instance serves every loop). {@code source_hash}: the client's hash
 * ({@code hash_key}) picks a backend in proportion to weight (HAProxy's {@code balance source} over
 * its weighted map, {@code lb_map.c}). The same client goes to the same backend while the backends
 * and weights stay the same, on every host; a change moves most clients, so {@code maglev} or
 * {@code ring_hash} suit a changing set better. Falls back to the next backend by name.
 */
public final class SourceHash implements Balancer {

    private final PoolSnapshot snapshot;
    private final HashKey hashKey;
    private final HashOrder order;

    /** Control thread: builds the cumulative weights once per snapshot. */
    public SourceHash(PoolSnapshot snapshot) {
        this.snapshot = snapshot;
        this.hashKey = snapshot.options().hashKey();
        this.order = CumulativeWeights.of(snapshot);
    }

    @Override
    public Backend pick(ClientKey client, Backend avoid) {
        return HashWalk.pick(snapshot, order, client.clientHash(hashKey), avoid);
    }
}
