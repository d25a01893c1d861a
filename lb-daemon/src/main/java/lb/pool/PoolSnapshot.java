package lb.pool;

import java.util.List;

import lb.balance.Balancer;
import lb.balance.Balancers;

/**
 * Immutable except for the per-loop balancer slots, each of which only its own event loop touches.
 * One published version of a pool: its backends in config order and its algorithm. Event loops read
 * the current snapshot through {@link BackendPool#snapshot()} without locks; a change to the pool
 * publishes a new snapshot, and each loop builds its balancer for it on first use.
 */
public final class PoolSnapshot {

    private final BackendPool pool;
    private final List<Backend> backends;
    private final String algorithm;
    // Slot i belongs to EventLoop-i alone, so plain reads and writes are enough.
    private final Balancer[] loopBalancers;

    PoolSnapshot(BackendPool pool, List<Backend> backends, String algorithm, int loops) {
        this.pool = pool;
        this.backends = List.copyOf(backends);
        this.algorithm = algorithm;
        this.loopBalancers = new Balancer[loops];
    }

    public BackendPool pool() {
        return pool;
    }

    /** The backends in config order; the list is immutable. */
    public List<Backend> backends() {
        return backends;
    }

    public int size() {
        return backends.size();
    }

    public Backend backend(int index) {
        return backends.get(index);
    }

    public String algorithm() {
        return algorithm;
    }

    /** EventLoop-{@code loopIndex} only: that loop's balancer for this snapshot, built on first use. */
    public Balancer balancer(int loopIndex) {
        Balancer balancer = loopBalancers[loopIndex];
        if (balancer == null) {
            balancer = Balancers.create(algorithm, this, loopIndex);
            loopBalancers[loopIndex] = balancer;
        }
        return balancer;
    }
}
