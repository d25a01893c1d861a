package lb.config;

import java.net.InetSocketAddress;

/**
 * Immutable; any thread. One {@code [[pool.backend]]} table, or one backend a pool's DNS discovery
 * found.
 *
 * @param name    unique within its pool; defaults to the address as written
 * @param address resolved once at load time
 * @param weight  1..1000 relative share (algorithms that ignore weights ignore it)
 * @param maxConnections at most this many sessions at once; 0 = no limit
 * @param tier    which tier the backend is in, lower first ({@link Tiers}): {@link Tiers#PRIMARY} for
 *                a plain backend, an SRV record's priority for a discovered one, and
 *                {@link Tiers#BACKUP} and above for {@code backup = true}
 */
public record BackendConfig(String name, InetSocketAddress address, int weight, int maxConnections, int tier) {

    /** A primary backend. */
    public BackendConfig(String name, InetSocketAddress address, int weight, int maxConnections) {
        this(name, address, weight, maxConnections, Tiers.PRIMARY);
    }

    /** A primary backend without a connection limit. */
    public BackendConfig(String name, InetSocketAddress address, int weight) {
        this(name, address, weight, 0);
    }

    /** The same backend with another weight. */
    public BackendConfig withWeight(int otherWeight) {
        return new BackendConfig(name, address, otherWeight, maxConnections, tier);
    }

    public static final int DEFAULT_WEIGHT = 1;
    public static final int MAX_WEIGHT = 1000;
}
