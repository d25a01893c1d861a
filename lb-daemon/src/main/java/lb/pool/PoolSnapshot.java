package lb.pool;

import java.util.List;

import lb.config.BalancerOptions;

/**
 * Immutable except for the per-loop balancer slots, each of which only its own event loop touches.
 * One published version of a pool: its backends in config order, their weights as of publication,
 * the algorithm and what its balancers share (built here, by the publishing control thread). Event
 * loops read the current snapshot through {@link BackendPool#snapshot()} without locks; a change to
 * the pool publishes a new snapshot, and each loop takes its balancer for it on first use.
 */
public final class PoolSnapshot {

    private final BackendPool pool;
    private final List<Backend> backends;
    private final int[] weights;
    private final long totalWeight;
    private final int maxWeight;
    private final String algorithm;
    private final BalancerOptions options;
    private final BalancerFactory.Prepared prepared;
    // Slot i belongs to EventLoop-i alone, so plain reads and writes are enough.
    private final Balancer[] loopBalancers;

    PoolSnapshot(BackendPool pool, List<Backend> backends, String algorithm, BalancerOptions options, int loops,
                 BalancerFactory balancers) {
        this.pool = pool;
        this.backends = List.copyOf(backends);
        this.weights = effectiveWeights(this.backends, System.nanoTime());
        long total = 0;
        int max = 0;
        for (int weight : weights) {
            total += weight;
            max = Math.max(max, weight);
        }
        this.totalWeight = total;
        this.maxWeight = max;
        this.algorithm = algorithm;
        this.options = options;
        this.loopBalancers = new Balancer[loops];
        this.prepared = balancers.prepare(this); // last: it reads the fields above
    }

    /**
     * Each backend's weight with slow start applied, in {@link Backend#WEIGHT_UNIT}s while any
     * backend ramps and as configured otherwise (so that, say, {@code source_hash} maps clients by
     * the configured weights whenever nothing ramps).
     */
    private static int[] effectiveWeights(List<Backend> backends, long nowNs) {
        int[] weights = new int[backends.size()];
        boolean whole = true;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (int) backends.get(i).effectiveWeight(nowNs);
            whole &= weights[i] % Backend.WEIGHT_UNIT == 0;
        }
        if (whole) {
            for (int i = 0; i < weights.length; i++) {
                weights[i] /= Backend.WEIGHT_UNIT;
            }
        }
        return weights;
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

    /**
     * Backend {@code index}'s weight when this snapshot was published (0 = no new sessions), on
     * the scale described at {@link #effectiveWeights}: only ratios between backends mean anything.
     */
    public int weight(int index) {
        return weights[index];
    }

    /** Sum of {@link #weight(int)} over all backends. */
    public long totalWeight() {
        return totalWeight;
    }

    public int maxWeight() {
        return maxWeight;
    }

    public String algorithm() {
        return algorithm;
    }

    public BalancerOptions options() {
        return options;
    }

    /** Whether some backend other than {@code avoid} is eligible now; O(backends). */
    public boolean anyEligible(Backend avoid) {
        for (int i = 0; i < backends.size(); i++) {
            Backend b = backends.get(i);
            if (b != avoid && b.isEligible()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A balancer of this snapshot for a thread that is not an event loop (admin previews): a new
     * instance where the algorithm keeps per-loop state, the shared one where it keeps none.
     */
    public Balancer detachedBalancer() {
        return prepared.forLoop(0);
    }

    /** EventLoop-{@code loopIndex} only: that loop's balancer for this snapshot, made on first use. */
    public Balancer balancer(int loopIndex) {
        Balancer balancer = loopBalancers[loopIndex];
        if (balancer == null) {
            balancer = prepared.forLoop(loopIndex);
            loopBalancers[loopIndex] = balancer;
        }
        return balancer;
    }
}
