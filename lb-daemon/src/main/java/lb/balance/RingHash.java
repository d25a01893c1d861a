package lb.balance;

import lb.config.HashKey;
import lb.pool.Backend;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.PoolSnapshot;

/**
 * Immutable; any thread (one instance serves every loop). {@code ring_hash}: consistent hashing on
 * a {@link HashRing} with {@code ring_size} points for the heaviest backend and proportionally fewer
 * for lighter ones. Adding or removing a backend moves about that backend's share of clients and
 * no others; the spread is even only to a few percent (more points, more even). Falls back to the
 * next point's backend.
 */
public final class RingHash implements Balancer {

    private final PoolSnapshot snapshot;
    private final HashKey hashKey;
    private final HashOrder ring;

    /** Control thread: builds the ring once per snapshot. */
    public RingHash(PoolSnapshot snapshot) {
        this.snapshot = snapshot;
        this.hashKey = snapshot.options().hashKey();
        this.ring = HashRing.of(snapshot, snapshot.options().ringSize());
    }

    @Override
    public Backend pick(ClientKey client, Backend avoid) {
        return HashWalk.pick(snapshot, ring, client.clientHash(hashKey), avoid);
    }
}
