package lb.config;

import java.net.InetSocketAddress;

/**
 * Immutable; any thread. One {@code [[pool.backend]]} table.
 *
 * @param name    unique within its pool; defaults to the address as written
 * @param address resolved once at load time
 * @param weight  1..1000 relative share (algorithms that ignore weights ignore it)
 * @param maxConnections at most this many sessions at once; 0 = no limit
 */
public record BackendConfig(String name, InetSocketAddress address, int weight, int maxConnections) {

    /** Without a connection limit. */
    public BackendConfig(String name, InetSocketAddress address, int weight) {
        this(name, address, weight, 0);
    }

    public static final int DEFAULT_WEIGHT = 1;
    public static final int MAX_WEIGHT = 1000;
}
