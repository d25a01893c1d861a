package lb.balance;

import lb.config.HashKey;
import lb.pool.Backend;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.PoolSnapshot;

/**
 * Immutable; any thread (one instance serves every loop). {@code bounded_load}: consistent hashing
 * with bounded loads (Mirrokni, Thorup, Zadimoghaddam, "Consistent Hashing with Bounded Loads",
 * SODA 2018; HAProxy's {@code hash-balance-factor}; Envoy's {@code BoundedLoadHashingLoadBalancer}).
 * A key goes where {@code ring_hash} would send it unless that backend already holds
 * {@code ceil(c × (active + 1) × weight / eligibleWeight)} sessions, {@code c} being
 * {@code bounded_load_factor}; then it walks on along the ring to the first backend under its bound.
 * A hot key range thus spills onto its ring neighbours instead of overloading one backend, while
 * a lightly loaded pool places every key exactly as {@code ring_hash} does.
 *
 * <p>A decorator over any {@link HashOrder}: the pool's config uses the same {@link HashRing} as
 * {@code ring_hash}. Loads are read live from the backends' atomic counters, so with several loops
 * placing at once a backend can pass its bound by at most (loops - 1).
 */
public final class BoundedLoad implements Balancer {

    private final PoolSnapshot snapshot;
    private final HashKey hashKey;
    private final double factor;
    private final HashOrder order;

    /** Control thread: builds the ring once per snapshot. */
    public BoundedLoad(PoolSnapshot snapshot) {
        this(snapshot, HashRing.of(snapshot, snapshot.options().ringSize()));
    }

    /** Control thread: bounded loads over {@code order}, built from {@code snapshot}. */
    BoundedLoad(PoolSnapshot snapshot, HashOrder order) {
        this.snapshot = snapshot;
        this.hashKey = snapshot.options().hashKey();
        this.factor = snapshot.options().boundedLoadFactor();
        this.order = order;
    }

    @Override
    public Backend pick(ClientKey client, Backend avoid) {
        long hash = client.clientHash(hashKey);
        // O(backends) per pick, like least_conn: the bound needs the live total. The loads count
        // over eligible backends only, as only they share the next session.
        long active = 0;
        long eligibleWeight = 0;
        for (int i = 0; i < snapshot.size(); i++) {
            Backend b = snapshot.backend(i);
            if (b.isEligible()) {
                active += b.activeSessions();
                eligibleWeight += snapshot.weight(i);
            }
        }
        if (eligibleWeight == 0) {
            // Nothing eligible (null), or only backends whose weight rose from 0 since this
            // snapshot: they have no ring points yet, so there is no load to bound either.
            return HashWalk.pick(snapshot, order, hash, avoid);
        }
        // + 1: the bound counts the session being placed, so an idle pool accepts at every backend.
        return HashWalk.pickBounded(snapshot, order, hash, avoid, factor * (active + 1), eligibleWeight);
    }
}
