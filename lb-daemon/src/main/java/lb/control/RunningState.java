package lb.control;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

import lb.config.Config;
import lb.listen.Listener;
import lb.pool.BackendPool;
import lb.stats.StatsAggregator;

/**
 * The control thread writes (the start-up thread before it runs); any thread reads. The daemon's
 * configuration state: the config file in effect, the pools and the listeners, each published as an
 * immutable value through a volatile field, so readers (admin queries, stats) never lock and never
 * see half a reload.
 */
public final class RunningState implements StatsAggregator.Sources {

    private volatile Config config;
    private volatile Map<String, BackendPool> pools;
    private volatile Map<String, Listener> listeners;
    // What a reload does to a freshly loaded file before using it (command-line overrides).
    private final UnaryOperator<Config> overrides;

    public RunningState(Config config, Map<String, BackendPool> pools, Map<String, Listener> listeners,
                        UnaryOperator<Config> overrides) {
        this.config = config;
        this.pools = copy(pools);
        this.listeners = copy(listeners);
        this.overrides = overrides;
    }

    private static <V> Map<String, V> copy(Map<String, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    public Config config() {
        return config;
    }

    @Override
    public Map<String, BackendPool> pools() {
        return pools;
    }

    @Override
    public Map<String, Listener> listeners() {
        return listeners;
    }

    UnaryOperator<Config> overrides() {
        return overrides;
    }

    /** Control thread: publishes what a reload built. */
    void publish(Config nextConfig, Map<String, BackendPool> nextPools, Map<String, Listener> nextListeners) {
        pools = copy(nextPools);
        listeners = copy(nextListeners);
        config = nextConfig;
    }
}
