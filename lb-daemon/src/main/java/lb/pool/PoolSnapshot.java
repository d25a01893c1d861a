package lb.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import lb.config.BalancerOptions;

/**
 * Immutable except for the per-loop balancer slots, each of which only its own event loop touches.
 * One published version of a pool: its backends in config order, their weights and tiers as of
 * publication, the algorithm and what its balancers share (built here, by the publishing control
 * thread). Event loops read the current snapshot through {@link BackendPool#snapshot()} without
 * locks; a change to the pool publishes a new snapshot, and each loop takes its balancer for it on
 * first use.
 *
 * <p>Tiers are handled here, once, for every algorithm: a snapshot whose backends are in more than
 * one tier ({@code lb.config.Tiers}) holds one snapshot per tier, each with its own balancers built
 * from that tier's backends alone, and hands the loops a {@link TieredBalancer} that picks from the
 * best tier with a backend able to take the session. Eligibility (health, drain, connection limits)
 * changes between snapshots, so the tier is chosen at each pick, not here. Since a tier's tables,
 * rings and weights are those of its backends alone, a hashing algorithm over the primaries places
 * clients exactly as it would without the backups, whether they exist or not.
 */
public final class PoolSnapshot {

    /** {@link #servingTier} when no backend can take a session. */
    public static final int NO_TIER = Integer.MIN_VALUE;

    private final BackendPool pool;
    private final List<Backend> backends;
    private final int[] weights;
    private final long totalWeight;
    private final int maxWeight;
    private final String algorithm;
    private final BalancerOptions options;
    // Each backend's tier when the snapshot was built, and the distinct tiers, best first.
    private final int[] tierOf;
    private final int[] tiers;
    // One snapshot per tier, best first; null when every backend is in one tier.
    private final PoolSnapshot[] tierSnapshots;
    private final BalancerFactory.Prepared prepared;
    // Slot i belongs to EventLoop-i alone, so plain reads and writes are enough.
    private final Balancer[] loopBalancers;

    PoolSnapshot(BackendPool pool, List<Backend> backends, String algorithm, BalancerOptions options, int loops,
                 BalancerFactory balancers) {
        this(pool, backends, algorithm, options, loops, balancers, System.nanoTime());
    }

    private PoolSnapshot(BackendPool pool, List<Backend> backends, String algorithm, BalancerOptions options,
                         int loops, BalancerFactory balancers, long nowNs) {
        this.pool = pool;
        this.backends = List.copyOf(backends);
        this.weights = effectiveWeights(this.backends, nowNs);
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
        this.tierOf = new int[this.backends.size()];
        TreeSet<Integer> distinct = new TreeSet<>();
        for (int i = 0; i < tierOf.length; i++) {
            tierOf[i] = this.backends.get(i).tier();
            distinct.add(tierOf[i]);
        }
        this.tiers = distinct.stream().mapToInt(Integer::intValue).toArray();
        if (tiers.length <= 1) {
            this.tierSnapshots = null;
            this.prepared = balancers.prepare(this); // last: it reads the fields above
            return;
        }
        this.tierSnapshots = new PoolSnapshot[tiers.length];
        for (int t = 0; t < tiers.length; t++) {
            List<Backend> members = new ArrayList<>();
            for (int i = 0; i < tierOf.length; i++) {
                if (tierOf[i] == tiers[t]) {
                    members.add(this.backends.get(i));
                }
            }
            // Its own weights and balancers: each tier is balanced as a pool of its backends alone.
            tierSnapshots[t] = new PoolSnapshot(pool, members, algorithm, options, 0, balancers, nowNs);
        }
        PoolSnapshot[] byTier = tierSnapshots;
        this.prepared = loopIndex -> {
            Balancer[] perTier = new Balancer[byTier.length];
            for (int t = 0; t < byTier.length; t++) {
                perTier[t] = byTier[t].prepared.forLoop(loopIndex);
            }
            return new TieredBalancer(byTier, perTier);
        };
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

    /** The distinct tiers of the backends, best (lowest) first; one entry (or none) for a pool without tiers. */
    public int[] tiers() {
        return tiers.clone();
    }

    /** Backend {@code index}'s tier when this snapshot was built. */
    public int tier(int index) {
        return tierOf[index];
    }

    /**
     * The tier a new session would be placed in now, avoiding {@code avoid}: the best one with a
     * backend that may take it ({@link #anyCandidate}), or {@link #NO_TIER} when none has.
     */
    public int servingTier(Backend avoid) {
        if (tierSnapshots == null) {
            return tiers.length == 1 && anyCandidate(avoid) ? tiers[0] : NO_TIER;
        }
        for (int t = 0; t < tierSnapshots.length; t++) {
            if (tierSnapshots[t].anyCandidate(avoid)) {
                return tiers[t];
            }
        }
        return NO_TIER;
    }

    /**
     * Whether some backend other than {@code avoid} may take a new session now: eligible, and with a
     * share in this snapshot (a weight raised from 0 since has none yet). O(backends); no allocation.
     */
    boolean anyCandidate(Backend avoid) {
        for (int i = 0; i < backends.size(); i++) {
            Backend b = backends.get(i);
            if (b != avoid && weights[i] > 0 && b.isEligible()) {
                return true;
            }
        }
        return false;
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
