package lb.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Immutable; any thread. The whole validated configuration of one daemon: what a TOML file, the
 * {@code --listen/--backends} shortcut or {@code --demo} produce. Built only by {@link ConfigLoader}
 * or {@link QuickConfig}, so every instance has passed validation.
 *
 * @param source  the file it was read from, empty when it was generated
 * @param metrics the Prometheus endpoint, {@link MetricsConfig#OFF} by default
 */
public record Config(Optional<Path> source, DaemonConfig daemon, List<ListenerConfig> listeners, List<PoolConfig> pools,
                     MetricsConfig metrics) {

    public Config {
        listeners = List.copyOf(listeners);
        pools = List.copyOf(pools);
    }

    /** Without a metrics endpoint. */
    public Config(Optional<Path> source, DaemonConfig daemon, List<ListenerConfig> listeners, List<PoolConfig> pools) {
        this(source, daemon, listeners, pools, MetricsConfig.OFF);
    }

    /** The same with other pools (runtime changes laid over the file's). */
    public Config withPools(List<PoolConfig> otherPools) {
        return new Config(source, daemon, listeners, otherPools, metrics);
    }

    /** The pool a listener names; validation guarantees it exists. */
    /** A listener's timeouts, as its pool overrides them. */
    public Timeouts timeouts(ListenerConfig listener) {
        return timeouts(listener, listener.pool());
    }

    /** The listener's timeouts as overridden by pool {@code poolName} (one of its routes' pools), or its own. */
    public Timeouts timeouts(ListenerConfig listener, String poolName) {
        if (poolName == null) {
            return listener.timeouts();
        }
        PoolConfig pool = pool(poolName);
        return listener.timeouts().overriddenBy(pool.connectTimeout(), pool.idleTimeout(), pool.halfCloseTimeout());
    }

    public PoolConfig pool(String name) {
        for (PoolConfig pool : pools) {
            if (pool.name().equals(name)) {
                return pool;
            }
        }
        throw new IllegalArgumentException("no pool named " + name);
    }
}
