package lb.config;

import java.net.InetSocketAddress;

/**
 * Immutable; any thread. One {@code [[listener]]} table.
 *
 * @param name           unique among listeners; used in logs
 * @param bind           resolved address to listen on (port 0 = ephemeral, for tests)
 * @param pool           name of the pool it balances over
 * @param timeouts       connect, idle and half-close timeouts (the pool may override them)
 * @param maxConnections sessions open at once on this listener; at the limit it stops accepting
 *                       and the kernel backlog holds the rest; 0 = unlimited
 * @param backlog        listen backlog passed to the kernel
 * @param acceptMode     how event loops share the listening socket
 * @param socket         options applied to both the client and backend sockets
 * @param proxyProtocol  the PROXY protocol header every client must send first, or null for none
 * @param admission      allow/deny lists, per-source and listener-wide limits
 */
public record ListenerConfig(String name, InetSocketAddress bind, String pool, Timeouts timeouts, int maxConnections,
                             int backlog, AcceptMode acceptMode, SocketOptions socket,
                             ProxyProtocolAccept proxyProtocol, AdmissionConfig admission) {

    /** Without a PROXY protocol header or admission rules. */
    public ListenerConfig(String name, InetSocketAddress bind, String pool, Timeouts timeouts, int maxConnections,
                          int backlog, AcceptMode acceptMode, SocketOptions socket) {
        this(name, bind, pool, timeouts, maxConnections, backlog, acceptMode, socket, null, AdmissionConfig.NONE);
    }

    public static final int DEFAULT_BACKLOG = 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 0;

    /** How the event loops share one listening address. */
    public enum AcceptMode {
        /** One socket per loop bound with SO_REUSEPORT: the kernel spreads connections, no herd. */
        REUSEPORT,
        /** One socket registered with every loop's selector: each wakes, one wins the accept. */
        SHARED;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
