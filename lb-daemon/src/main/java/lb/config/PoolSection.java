package lb.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;


/**
 * Any thread (stateless). Reads one {@code [[pool]]} table: its own keys (balancer options, panic
 * threshold and slow start among them), its backends, which must differ in address and name, and
 * its {@code [pool.health]} and {@code [pool.outlier]} tables. {@link ConfigLoader} checks that its
 * name is unique.
 */
final class PoolSection {

    static final List<String> KEYS = List.of("algorithm", "backend", "bounded_load_factor", "connect_timeout",
            "discovery", "half_close_timeout", "hash_fallback", "hash_key", "health", "idle_timeout", "maglev_table_size", "name",
            "outlier", "panic_threshold", "proxy_protocol", "retries", "ring_size", "slow_start");
    static final int MAX_RETRIES = 16;

    private PoolSection() {
    }

    static PoolConfig read(TomlTable t, Addresses addresses) {
        t.onlyKeys(KEYS);
        String name = t.name("name", NameRule.PLAIN);
        String algorithm = t.string("algorithm", PoolConfig.DEFAULT_ALGORITHM);
        if (algorithm != null && !Algorithm.isKnown(algorithm)) {
            t.error("algorithm", "unknown algorithm " + ConfigError.quote(algorithm) + " (known: "
                    + String.join(", ", Algorithm.names()) + ")");
        }
        int retries = (int) t.integer("retries", PoolConfig.DEFAULT_RETRIES, 0, MAX_RETRIES, "0.." + MAX_RETRIES);
        Duration connect = t.duration("connect_timeout", null, Duration.ofMillis(1), "1ms..24h");
        Duration idle = t.duration("idle_timeout", null, Duration.ZERO, "0s..24h; 0s = none");
        Duration halfClose = t.duration("half_close_timeout", null, Duration.ZERO, "0s..24h; 0s = none");
        List<BackendConfig> backends = new ArrayList<>();
        Map<InetSocketAddress, String> firstByAddress = new HashMap<>();
        Map<String, String> firstByName = new HashMap<>();
        DiscoveryConfig discovery = t.has("discovery") ? DiscoverySection.read(t.table("discovery")) : null;
        // A pool with discovery may list no backend: DNS gives them all.
        List<TomlTable> backendTables = discovery != null && !t.has("backend") ? List.of()
                : t.tables("backend", "[[pool.backend]]");
        for (TomlTable table : backendTables) {
            BackendConfig backend = BackendSection.read(table, addresses);
            String first = backend.address() == null ? null
                    : firstByAddress.putIfAbsent(backend.address(), table.path());
            if (first != null) {
                table.error("address", "duplicate address " + ConfigError.show(table.raw("address"))
                        + " (also " + first + ")");
            } else {
                // Skipped after a duplicate address: a defaulted name would repeat the same complaint.
                table.unique("name", backend.name(), firstByName);
            }
            backends.add(backend);
        }
        // Discovery may add up to max_backends: the Maglev table must have room for those too.
        BalancerOptions options = balancerOptions(t, backends.size() + (discovery != null ? discovery.maxBackends() : 0));
        ProxyProtocolSend proxy = t.choice("proxy_protocol", "PROXY protocol version", ProxyProtocolSend.NONE,
                ProxyProtocolSend.values(), ProxyProtocolSend::configName);
        return new PoolConfig(name, algorithm, retries, connect, idle, halfClose, backends, options, health(t), proxy,
                discovery);
    }

    private static BalancerOptions balancerOptions(TomlTable t, int backendCount) {
        BalancerOptions d = BalancerOptions.DEFAULTS;
        HashKey hashKey = t.choice("hash_key", "hash key", d.hashKey(), HashKey.values(), HashKey::configName);
        HashFallback fallback = t.choice("hash_fallback", "hash fallback", d.hashFallback(), HashFallback.values(),
                HashFallback::configName);
        int ringSize = (int) t.integer("ring_size", d.ringSize(), BalancerOptions.MIN_RING_SIZE,
                BalancerOptions.MAX_RING_SIZE, BalancerOptions.MIN_RING_SIZE + ".." + BalancerOptions.MAX_RING_SIZE);
        String tableRange = "a prime " + BalancerOptions.MIN_MAGLEV_TABLE_SIZE + ".."
                + BalancerOptions.MAX_MAGLEV_TABLE_SIZE + " above the number of backends";
        int tableSize = (int) t.integer("maglev_table_size", d.maglevTableSize(),
                BalancerOptions.MIN_MAGLEV_TABLE_SIZE, BalancerOptions.MAX_MAGLEV_TABLE_SIZE, tableRange);
        if (!BalancerOptions.isPrime(tableSize)) {
            t.error("maglev_table_size", tableSize + " is not a prime (nearest primes: " + previousPrime(tableSize)
                    + ", " + nextPrime(tableSize) + ")");
            tableSize = d.maglevTableSize();
        } else if (tableSize <= backendCount) {
            t.error("maglev_table_size", tableSize + " is not above the number of backends (" + backendCount
                    + "); Maglev wants at least 100 times as many slots as backends");
        }
        double factor = t.decimal("bounded_load_factor", d.boundedLoadFactor(), BalancerOptions.MIN_BOUNDED_LOAD_FACTOR,
                BalancerOptions.MAX_BOUNDED_LOAD_FACTOR, "1.0..100.0");
        return new BalancerOptions(hashKey, fallback, ringSize, tableSize, factor);
    }

    private static long previousPrime(long n) {
        long p = n - 1;
        while (p > 2 && !BalancerOptions.isPrime(p)) {
            p--;
        }
        return p;
    }

    private static long nextPrime(long n) {
        long p = n + 1;
        while (!BalancerOptions.isPrime(p)) {
            p++;
        }
        return p;
    }

    private static HealthConfig health(TomlTable pool) {
        int panic = (int) pool.integer("panic_threshold", HealthConfig.DEFAULT_PANIC_THRESHOLD_PERCENT, 0, 100,
                "0..100 (percent); 0 = never");
        Duration slowStart = pool.duration("slow_start", Duration.ZERO, Duration.ZERO, "0s..24h; 0s = off");
        ActiveCheck active = pool.has("health") ? HealthSection.read(pool.table("health")) : null;
        PassiveCheck passive = pool.has("outlier") ? OutlierSection.read(pool.table("outlier")) : null;
        return new HealthConfig(active, passive, panic, slowStart);
    }
}
