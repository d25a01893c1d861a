package lb.balance;

import lb.config.Algorithm;
import lb.pool.Balancer;
import lb.pool.BalancerFactory;
import lb.pool.BalancerFactory.Prepared;
import lb.pool.PoolSnapshot;

/**
 * Any thread (stateless). Builds the balancers of the {@link Algorithm} a pool's config names: its
 * {@link #prepare} is the {@link BalancerFactory} every {@code BackendPool} is given. A control
 * thread prepares what every loop shares for one snapshot (tables, rings, cumulative weights)
 * before the snapshot is published; each loop then takes its own {@link Balancer} from that.
 */
public final class Balancers {

    private Balancers() {
    }

    /** Control thread ({@link BalancerFactory}): prepares {@code snapshot}'s balancers; its algorithm must be known. */
    public static Prepared prepare(PoolSnapshot snapshot) {
        // No default: a constant added to Algorithm without a balancer here does not compile.
        return switch (Algorithm.named(snapshot.algorithm())) {
            case ROUND_ROBIN -> loopIndex -> new RoundRobin(snapshot, loopIndex);
            // weighted algorithms
            case WEIGHTED_ROUND_ROBIN -> loopIndex -> new WeightedRoundRobin(snapshot, loopIndex);
            case RANDOM -> {
                long[] cumulative = WeightedDraw.cumulative(snapshot);
                yield loopIndex -> new RandomPick(snapshot, cumulative, seed(loopIndex));
            }
            case LEAST_CONN -> loopIndex -> new LeastConn(snapshot, loopIndex);
            case POWER_OF_TWO -> {
                long[] cumulative = WeightedDraw.cumulative(snapshot);
                yield loopIndex -> new PowerOfTwo(snapshot, cumulative, seed(loopIndex));
            }
            // hashing algorithms
            // Each builds its table or ring once per snapshot here; the balancer is immutable, so every loop shares it.
            case SOURCE_HASH -> shared(new SourceHash(snapshot));
            case RING_HASH -> shared(new RingHash(snapshot));
            case MAGLEV -> shared(new Maglev(snapshot));
            case BOUNDED_LOAD -> shared(new BoundedLoad(snapshot));
        };
    }

    /** One immutable balancer for every loop. */
    private static Prepared shared(Balancer balancer) {
        return loopIndex -> balancer;
    }

    /** A seed for a loop's random source: differs per loop and per start. */
    static long seed(int loopIndex) {
        return Hashing.mix(System.nanoTime() ^ Hashing.mix(loopIndex + 1L));
    }
}
