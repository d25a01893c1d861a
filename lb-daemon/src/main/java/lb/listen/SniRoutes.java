package lb.listen;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import lb.config.Config;
import lb.config.ListenerConfig;
import lb.config.RouteConfig;
import lb.config.Timeouts;
import lb.pool.BackendPool;
import lb.tls.ClientHello;

/**
 * Any thread (immutable but for its counters): a listener's routes by TLS server name and ALPN, as
 * built from its config and the pools they name, replaced as a whole by a reload. The event loops
 * match ClientHellos against it without allocating: names are compared as bytes, in a scan of
 * each route's names (a listener has few routes; each a handful of names).
 *
 * <p>The rule: exact names first, then wildcards, then routes without names (ALPN only), each in
 * file order; a route with {@code alpn} also needs the client to offer one of its protocols.
 */
public final class SniRoutes {

    /** Any thread (immutable but for its counter). One route: its pool and that pool's effective timeouts. */
    public static final class Target {
        private final String name;
        private final BackendPool pool;
        private final long connectTimeoutNs;
        private final long idleTimeoutNs;
        private final long halfCloseTimeoutNs;
        private final byte[][] exact;
        private final byte[][] wildcardSuffixes; // ".example.org" for "*.example.org"
        private final byte[][] alpn;
        private final LongAdder sessions;

        Target(RouteConfig config, BackendPool pool, Timeouts timeouts, LongAdder sessions) {
            this.sessions = sessions;
            this.name = config.name();
            this.pool = pool;
            this.connectTimeoutNs = timeouts.connect().toNanos();
            this.idleTimeoutNs = timeouts.idle().toNanos();
            this.halfCloseTimeoutNs = timeouts.halfClose().toNanos();
            this.exact = bytes(config.sni().stream().filter(n -> !n.startsWith("*.")).toList());
            this.wildcardSuffixes = bytes(config.sni().stream().filter(n -> n.startsWith("*.")).map(n -> n.substring(1))
                    .toList());
            this.alpn = bytes(config.alpn());
        }

        private static byte[][] bytes(List<String> texts) {
            byte[][] out = new byte[texts.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = texts.get(i).getBytes(StandardCharsets.US_ASCII);
            }
            return out;
        }

        public String name() {
            return name;
        }

        public BackendPool pool() {
            return pool;
        }

        public long connectTimeoutNs() {
            return connectTimeoutNs;
        }

        public long idleTimeoutNs() {
            return idleTimeoutNs;
        }

        public long halfCloseTimeoutNs() {
            return halfCloseTimeoutNs;
        }

        /** Event loop: a session took this route. */
        public void onRouted() {
            sessions.increment();
        }

        /**
         * Sessions this route took since it was configured; a reload keeps the count of a route that
         * keeps its name (a metric counter must not go back), a new name counts afresh.
         */
        public long sessions() {
            return sessions.sum();
        }

        boolean hasNames() {
            return exact.length + wildcardSuffixes.length > 0;
        }

        boolean matchesExact(byte[] name, int length) {
            for (byte[] e : exact) {
                if (e.length == length && equal(e, 0, name, 0, length)) {
                    return true;
                }
            }
            return false;
        }

        boolean matchesWildcard(byte[] name, int length) {
            for (byte[] suffix : wildcardSuffixes) {
                if (length > suffix.length && equal(suffix, 0, name, length - suffix.length, suffix.length)) {
                    return true;
                }
            }
            return false;
        }

        boolean alpnAllows(ClientHello hello) {
            if (alpn.length == 0) {
                return true;
            }
            for (int i = 0; hello != null && i < hello.alpnCount(); i++) {
                byte[] offered = hello.alpn(i);
                int length = hello.alpnLength(i);
                for (byte[] a : alpn) {
                    if (a.length == length && equal(a, 0, offered, 0, length)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private static boolean equal(byte[] a, int aFrom, byte[] b, int bFrom, int length) {
            for (int i = 0; i < length; i++) {
                if (a[aFrom + i] != b[bFrom + i]) {
                    return false;
                }
            }
            return true;
        }

        /** "api.example.com,*.example.org [h2] -> api" for status listings. */
        public String describe(RouteConfig config) {
            return String.join(",", config.sni()) + (config.alpn().isEmpty() ? "" : " [" + String.join(",",
                    config.alpn()) + "]") + " -> " + pool.name();
        }
    }

    private final Target[] routes;
    private final List<RouteConfig> configs;
    private final long clientHelloTimeoutNs;
    private final int clientHelloMax;

    private SniRoutes(Target[] routes, List<RouteConfig> configs, long clientHelloTimeoutNs, int clientHelloMax) {
        this.routes = routes;
        this.configs = configs;
        this.clientHelloTimeoutNs = clientHelloTimeoutNs;
        this.clientHelloMax = clientHelloMax;
    }

    /** Control thread: {@code listener}'s routes over {@code pools}, or null when it has none. */
    public static SniRoutes of(ListenerConfig listener, Config config, Map<String, BackendPool> pools) {
        return of(listener, config, pools, null);
    }

    /**
     * Control thread (reload): as above, each route that {@code previous} (the listener's routes
     * until now, or null) has under the same name counting on from its count.
     */
    public static SniRoutes of(ListenerConfig listener, Config config, Map<String, BackendPool> pools,
                               SniRoutes previous) {
        if (listener.sni() == null) {
            return null;
        }
        List<RouteConfig> configs = listener.sni().routes();
        Target[] targets = new Target[configs.size()];
        for (int i = 0; i < targets.length; i++) {
            RouteConfig r = configs.get(i);
            LongAdder carried = previous == null ? null : previous.sessionsOf(r.name());
            targets[i] = new Target(r, pools.get(r.pool()), config.timeouts(listener, r.pool()),
                    carried != null ? carried : new LongAdder());
        }
        return new SniRoutes(targets, configs, listener.sni().clientHelloTimeout().toNanos(),
                listener.sni().clientHelloMax());
    }

    private LongAdder sessionsOf(String name) {
        for (Target t : routes) {
            if (t.name.equals(name)) {
                return t.sessions;
            }
        }
        return null;
    }

    /**
     * Event loop: the route {@code hello} takes, or null (no route matches it: the default pool).
     * Allocates nothing.
     */
    public Target match(ClientHello hello) {
        return hello.hasServerName() ? match(hello.serverName(), hello.serverNameLength(), hello)
                : match(null, 0, hello);
    }

    /**
     * Any thread: the route a client naming {@code name} (lower case, no trailing dot; null for no
     * name) takes, offering the ALPN protocols of {@code alpnFrom} (null: none), or null.
     */
    public Target match(byte[] name, int length, ClientHello alpnFrom) {
        ClientHello hello = alpnFrom;
        if (name != null) {
            for (Target t : routes) {
                if (t.matchesExact(name, length) && t.alpnAllows(hello)) {
                    return t;
                }
            }
            for (Target t : routes) {
                if (t.matchesWildcard(name, length) && t.alpnAllows(hello)) {
                    return t;
                }
            }
        }
        for (Target t : routes) {
            if (!t.hasNames() && t.alpnAllows(hello)) {
                return t;
            }
        }
        return null;
    }

    /** In file order, as {@link #configs()}. */
    public List<Target> targets() {
        return List.of(routes);
    }

    public List<RouteConfig> configs() {
        return configs;
    }

    public long clientHelloTimeoutNs() {
        return clientHelloTimeoutNs;
    }

    public int clientHelloMax() {
        return clientHelloMax;
    }
}
