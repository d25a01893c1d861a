package lb.config;

import java.net.InetSocketAddress;

/**
 * Immutable; any thread. One {@code [[listener]]} table.
 *
 * @param name           unique among listeners; used in logs
 * @param bind           resolved address to listen on (port 0 = ephemeral, for tests)
 * @param pool           name of the pool it balances over (with routes: the default pool, for sessions no
 *                       route takes), or null when such sessions are reset ({@code default_pool = "reject"})
 * @param timeouts       connect, idle and half-close timeouts (the pool may override them)
 * @param maxConnections sessions open at once on this listener; at the limit it stops accepting
 *                       and the kernel backlog holds the rest; 0 = unlimited
 * @param backlog        listen backlog passed to the kernel
 * @param acceptMode     how event loops share the listening socket
 * @param socket         options applied to both the client and backend sockets
 * @param proxyProtocol  the PROXY protocol header every client must send first, or null for none
 * @param admission      allow/deny lists, per-source and listener-wide limits
 * @param sni            routes by the TLS ClientHello's server name, or null for none
 */
public record ListenerConfig(String name, InetSocketAddress bind, String pool, Timeouts timeouts, int maxConnections,
                             int backlog, AcceptMode acceptMode, SocketOptions socket,
                             ProxyProtocolAccept proxyProtocol, AdmissionConfig admission, SniRouting sni) {

    /** Without a PROXY protocol header, admission rules or routes. */
    public ListenerConfig(String name, InetSocketAddress bind, String pool, Timeouts timeouts, int maxConnections,
                          int backlog, AcceptMode acceptMode, SocketOptions socket) {
        this(name, bind, pool, timeouts, maxConnections, backlog, acceptMode, socket, null, AdmissionConfig.NONE, null);
    }

    /** Without routes. */
    public ListenerConfig(String name, InetSocketAddress bind, String pool, Timeouts timeouts, int maxConnections,
                          int backlog, AcceptMode acceptMode, SocketOptions socket, ProxyProtocolAccept proxyProtocol,
                          AdmissionConfig admission) {
        this(name, bind, pool, timeouts, maxConnections, backlog, acceptMode, socket, proxyProtocol, admission, null);
    }

    /** Every pool it may send sessions to: its own (if any), then its routes'. */
    public java.util.List<String> pools() {
        java.util.List<String> names = new java.util.ArrayList<>();
        if (pool != null) {
            names.add(pool);
        }
        if (sni != null) {
            for (RouteConfig r : sni.routes()) {
                if (!names.contains(r.pool())) {
                    names.add(r.pool());
                }
            }
        }
        return names;
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
