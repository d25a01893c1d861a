package lb.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Any thread (immutable). The balancing algorithms a pool's {@code algorithm} key may name. Each
 * name is written here once: the config checks against this list, and {@code lb.balance.Balancers}
 * builds each constant's balancer in an exhaustive {@code switch}, so an algorithm added here
 * without a balancer does not compile (the config, below the algorithms, never names their classes).
 */
public enum Algorithm {
    ROUND_ROBIN,
    WEIGHTED_ROUND_ROBIN,
    RANDOM,
    LEAST_CONN,
    POWER_OF_TWO,
    SOURCE_HASH,
    RING_HASH,
    MAGLEV,
    BOUNDED_LOAD;

    private static final List<String> NAMES;

    private final String configName;

    Algorithm() {
        this.configName = name().toLowerCase(Locale.ROOT);
    }

    static {
        List<String> names = new ArrayList<>();
        for (Algorithm a : values()) {
            names.add(a.configName());
        }
        Collections.sort(names);
        NAMES = List.copyOf(names);
    }

    /** The name in a pool's {@code algorithm} key: the constant's name in lower case. */
    public String configName() {
        return configName;
    }

    /** Every name, sorted, for error messages and docs. */
    public static List<String> names() {
        return NAMES;
    }

    /** Whether {@code name} names an algorithm. */
    public static boolean isKnown(String name) {
        return NAMES.contains(name);
    }

    /**
     * The algorithm called {@code name}.
     *
     * @throws IllegalArgumentException when no algorithm has that name
     */
    public static Algorithm named(String name) {
        for (Algorithm a : values()) {
            if (a.configName().equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown algorithm " + name);
    }
}
