package lb.balance;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import lb.pool.PoolSnapshot;

/**
 * Any thread (immutable registry). Maps the {@code algorithm} name in a pool's config to the
 * algorithm's {@link Factory}. Building is two-step, as Envoy's thread-aware balancers: a control
 * thread {@linkplain Factory#prepare prepares} what every loop shares for one snapshot (tables,
 * rings, cumulative weights) before the snapshot is published; each loop then takes its own
 * {@link Balancer} from that, which is cheap.
 */
public final class Balancers {

    private static final Map<String, Factory> FACTORIES = new TreeMap<>();

    static {
        FACTORIES.put(RoundRobin.NAME, snapshot -> loopIndex -> new RoundRobin(snapshot, loopIndex));
        // weighted algorithms
        FACTORIES.put(WeightedRoundRobin.NAME, snapshot -> loopIndex -> new WeightedRoundRobin(snapshot, loopIndex));
        FACTORIES.put(RandomPick.NAME, snapshot -> {
            long[] cumulative = WeightedDraw.cumulative(snapshot);
            return loopIndex -> new RandomPick(snapshot, cumulative, seed(loopIndex));
        });
        FACTORIES.put(LeastConn.NAME, snapshot -> loopIndex -> new LeastConn(snapshot, loopIndex));
        FACTORIES.put(PowerOfTwo.NAME, snapshot -> {
            long[] cumulative = WeightedDraw.cumulative(snapshot);
            return loopIndex -> new PowerOfTwo(snapshot, cumulative, seed(loopIndex));
        });
        // hashing algorithms
        // Each builds its table or ring once per snapshot here; the balancer is immutable, so every loop shares it.
        FACTORIES.put(SourceHash.NAME, snapshot -> {
            Balancer shared = new SourceHash(snapshot);
            return loopIndex -> shared;
        });
        FACTORIES.put(RingHash.NAME, snapshot -> {
            Balancer shared = new RingHash(snapshot);
            return loopIndex -> shared;
        });
        FACTORIES.put(Maglev.NAME, snapshot -> {
            Balancer shared = new Maglev(snapshot);
            return loopIndex -> shared;
        });
        FACTORIES.put(BoundedLoad.NAME, snapshot -> {
            Balancer shared = new BoundedLoad(snapshot);
            return loopIndex -> shared;
        });
    }

    /** Any thread (stateless): prepares one snapshot's shared state. */
    @FunctionalInterface
    public interface Factory {
        /** Called off the event loops, before {@code snapshot} is published. */
        Prepared prepare(PoolSnapshot snapshot);
    }

    /** Immutable, any thread: what one snapshot's balancers share; hands each loop its balancer. */
    @FunctionalInterface
    public interface Prepared {
        /** Called by EventLoop-{@code loopIndex} on its first pick from the snapshot. */
        Balancer forLoop(int loopIndex);
    }

    private Balancers() {
    }

    /** Whether {@code name} is a registered algorithm. */
    public static boolean isKnown(String name) {
        return FACTORIES.containsKey(name);
    }

    /** Registered algorithm names, sorted, for error messages and docs. */
    public static List<String> names() {
        return List.copyOf(FACTORIES.keySet());
    }

    /** Control thread: prepares {@code snapshot}'s balancers; the snapshot's algorithm must be known. */
    public static Prepared prepare(PoolSnapshot snapshot) {
        Factory factory = FACTORIES.get(snapshot.algorithm());
        if (factory == null) {
            throw new IllegalArgumentException("unknown algorithm " + snapshot.algorithm());
        }
        return factory.prepare(snapshot);
    }

    /** A seed for a loop's random source: differs per loop and per start. */
    static long seed(int loopIndex) {
        return Hashing.mix(System.nanoTime() ^ Hashing.mix(loopIndex + 1L));
    }
}
