package lb.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Immutable; any thread. One {@code [pool.discovery]} table: where a pool finds backends in DNS
 * and how often it asks again.
 *
 * @param name        the name queried, without a trailing dot: {@code _http._tcp.app.example} for SRV
 * @param type        which records
 * @param port        the backends' port for A/AAAA records; 0 for SRV (each record carries its port)
 * @param resolvers   DNS servers asked in turn (IP literals with their port)
 * @param refresh     a fixed interval between lookups, or null to follow the records' TTL
 * @param minRefresh  with TTLs: never ask sooner than this after an answer (TTL 0 included)
 * @param maxRefresh  with TTLs: never later than this
 * @param timeout     one query to one resolver, over UDP (and again over TCP for a truncated answer)
 * @param maxBackends the most backends the answer may give; records past it are left out with a warning
 * @param backup      whether the discovered backends are backups ({@link Tiers#BACKUP} plus their SRV priority)
 */
public record DiscoveryConfig(String name, Type type, int port, List<InetSocketAddress> resolvers, Duration refresh,
                              Duration minRefresh, Duration maxRefresh, Duration timeout, int maxBackends,
                              boolean backup) {

    public static final Duration DEFAULT_MIN_REFRESH = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_REFRESH = Duration.ofMinutes(5);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_MAX_BACKENDS = 256;
    public static final int MAX_MAX_BACKENDS = 10_000;

    public DiscoveryConfig {
        resolvers = List.copyOf(resolvers);
    }

    /** Which records a pool's backends come from. */
    public enum Type {
        /** SRV records: target, port, priority (the tier), weight; targets' addresses from the answer or A/AAAA. */
        SRV,
        /** A records, with the configured port. */
        A,
        /** AAAA records, with the configured port. */
        AAAA,
        /** Both A and AAAA records. */
        A_AAAA;

        public String configName() {
            return this == A_AAAA ? "a+aaaa" : name().toLowerCase(Locale.ROOT);
        }
    }

    /** Whether lookups follow the records' TTL (else {@link #refresh} is fixed). */
    public boolean followsTtl() {
        return refresh == null;
    }
}
