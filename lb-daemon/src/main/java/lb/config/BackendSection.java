package lb.config;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Any thread (stateless). Reads one {@code [[pool.backend]]} table; {@link PoolSection} checks that
 * its address and name are unique in the pool.
 */
final class BackendSection {

    static final List<String> KEYS = List.of("address", "backup", "max_connections", "name", "weight");
    static final int MAX_BACKEND_CONNECTIONS = 10_000_000;

    private BackendSection() {
    }

    static BackendConfig read(TomlTable t, Addresses addresses) {
        t.onlyKeys(KEYS);
        InetSocketAddress address = addresses.read(t, "address", "host:port of the backend", 1);
        String name = t.has("name") ? t.name("name", NameRule.BACKEND)
                : t.raw("address") instanceof String written ? written : null;
        int weight = (int) t.integer("weight", BackendConfig.DEFAULT_WEIGHT, 1, BackendConfig.MAX_WEIGHT,
                "1.." + BackendConfig.MAX_WEIGHT);
        int maxConnections = (int) t.integer("max_connections", 0, 0, MAX_BACKEND_CONNECTIONS,
                "0.." + MAX_BACKEND_CONNECTIONS + "; 0 = unlimited");
        boolean backup = t.bool("backup", false);
        return new BackendConfig(name, address, weight, maxConnections, Tiers.of(0, backup));
    }
}
