package lb.balance;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import lb.pool.PoolSnapshot;

/**
 * Any thread (immutable registry). Maps the {@code algorithm} name in a pool's config to a factory
 * that builds one {@link Balancer} for one event loop from one pool snapshot.
 */
public final class Balancers {

    private static final Map<String, Factory> FACTORIES = new TreeMap<>();

    static {
        FACTORIES.put(RoundRobin.NAME, RoundRobin::new);
    }

    /** Builds the balancer of one event loop for one snapshot. */
    @FunctionalInterface
    public interface Factory {
        Balancer create(PoolSnapshot snapshot, int loopIndex);
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

    /** A fresh per-loop balancer for {@code snapshot}; the name must be known. */
    public static Balancer create(String name, PoolSnapshot snapshot, int loopIndex) {
        Factory factory = FACTORIES.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown algorithm " + name);
        }
        return factory.create(snapshot, loopIndex);
    }
}
