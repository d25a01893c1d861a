package lb.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import lb.admission.Cidr;
import lb.config.ListenerConfig.AcceptMode;
import lb.proxyproto.ProxyHeaderParser;

/**
 * Any thread (stateless). Reads one {@code [[listener]]} table; {@link ConfigLoader} checks that
 * its pool exists and that its name and bind are unique.
 */
final class ListenerSection {

    static final List<String> KEYS = List.of("accept", "allow", "backlog", "bind", "client_hello_max",
            "client_hello_timeout", "connect_timeout", "default_pool", "deny", "half_close_timeout", "idle_timeout",
            "keepalive", "max_connections", "max_tracked_sources", "name", "pool",
            "proxy_protocol", "proxy_protocol_timeout", "proxy_protocol_trusted", "rate_limit", "rate_limit_burst",
            "receive_buffer", "route", "send_buffer", "source_burst", "source_max_connections", "source_prefix_ipv4",
            "source_prefix_ipv6", "source_rate", "tcp_nodelay");
    static final List<String> ROUTE_KEYS = List.of("alpn", "name", "pool", "sni");
    /** {@code default_pool}'s value for "reset what no route takes". */
    public static final String REJECT = "reject";
    static final int MAX_SOURCE_CONNECTIONS = 10_000_000;
    static final double MAX_RATE = 10_000_000;
    static final int MAX_BURST = 10_000_000;
    // 56 bytes a slot, 2 to 4 slots a source, allocated at start: a million sources is up to 224 MB.
    static final int MAX_TRACKED_SOURCES = 1_000_000;
    static final long MAX_SOCKET_BUFFER = Sizes.GIB;
    static final int MAX_CONNECTIONS = 10_000_000;
    static final int MAX_BACKLOG = 65535;

    private ListenerSection() {
    }

    static ListenerConfig read(TomlTable t, Addresses addresses) {
        t.onlyKeys(KEYS);
        String name = t.name("name", NameRule.PLAIN);
        InetSocketAddress bind = addresses.read(t, "bind", "host:port to listen on", 0);
        SniRouting sni = t.has("route") ? sniRouting(t) : null;
        String pool = defaultPool(t, sni != null);
        Timeouts defaults = Timeouts.DEFAULTS;
        Timeouts timeouts = new Timeouts(
                t.duration("connect_timeout", defaults.connect(), Duration.ofMillis(1), "1ms..24h"),
                t.duration("idle_timeout", defaults.idle(), Duration.ZERO, "0s..24h; 0s = none"),
                t.duration("half_close_timeout", defaults.halfClose(), Duration.ZERO, "0s..24h; 0s = none"));
        int maxConnections = (int) t.integer("max_connections", ListenerConfig.DEFAULT_MAX_CONNECTIONS, 0,
                MAX_CONNECTIONS, "0.." + MAX_CONNECTIONS + "; 0 = unlimited");
        int backlog = (int) t.integer("backlog", ListenerConfig.DEFAULT_BACKLOG, 1, MAX_BACKLOG, "1.." + MAX_BACKLOG);
        AcceptMode acceptMode = t.choice("accept", "accept mode", AcceptMode.REUSEPORT, AcceptMode.values(),
                AcceptMode::configName);
        SocketOptions socketDefaults = SocketOptions.DEFAULTS;
        String bufferRange = "0..1GiB; 0 = kernel default";
        SocketOptions socket = new SocketOptions(
                t.bool("tcp_nodelay", socketDefaults.tcpNoDelay()),
                t.bool("keepalive", socketDefaults.keepAlive()),
                (int) t.size("send_buffer", socketDefaults.sendBuffer(), 0, MAX_SOCKET_BUFFER, bufferRange),
                (int) t.size("receive_buffer", socketDefaults.receiveBuffer(), 0, MAX_SOCKET_BUFFER, bufferRange));
        return new ListenerConfig(name, bind, pool, timeouts, maxConnections, backlog, acceptMode, socket,
                proxyProtocol(t), admission(t), sni);
    }

    /**
     * {@code pool}; with routes, the default pool, which {@code default_pool} may name instead (or
     * "reject": null). Null, with the problem recorded, when neither is given.
     */
    private static String defaultPool(TomlTable t, boolean routes) {
        if (!routes) {
            if (t.has("default_pool")) {
                t.error("default_pool", "is for listeners with [[listener.route]] tables; without routes use pool");
            }
            return t.requiredString("pool", "the name of a [[pool]]");
        }
        if (t.has("pool") && t.has("default_pool")) {
            t.error("default_pool", "give pool or default_pool, not both (they mean the same with routes)");
            return null;
        }
        if (!t.has("pool") && !t.has("default_pool")) {
            t.error("default_pool", "missing (required with routes: the pool for sessions no route takes, or "
                    + "\"reject\" to reset them)");
            return null;
        }
        String name = t.has("pool") ? t.string("pool", null) : t.string("default_pool", null);
        return REJECT.equals(name) ? null : name;
    }

    private static SniRouting sniRouting(TomlTable t) {
        List<RouteConfig> routes = new ArrayList<>();
        Map<String, String> firstByName = new HashMap<>();
        for (TomlTable r : t.tables("route", "[[listener.route]]")) {
            r.onlyKeys(ROUTE_KEYS);
            String pool = r.requiredString("pool", "the name of a [[pool]]");
            List<String> sni = r.strings("sni");
            List<String> alpn = r.strings("alpn");
            for (int i = 0; i < sni.size(); i++) {
                String problem = ServerNames.problem(sni.get(i));
                if (problem != null) {
                    r.error("sni[" + i + "]", ConfigError.quote(sni.get(i)) + " " + problem);
                }
            }
            for (int i = 0; i < alpn.size(); i++) {
                int length = alpn.get(i).getBytes(java.nio.charset.StandardCharsets.US_ASCII).length;
                if (length < 1 || length > 255 || !alpn.get(i).chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                    r.error("alpn[" + i + "]", ConfigError.quote(alpn.get(i)) + " is not a protocol name (1..255 "
                            + "printable ASCII characters, e.g. \"h2\" or \"http/1.1\")");
                }
            }
            if (sni.isEmpty() && alpn.isEmpty() && !r.has("sni") && !r.has("alpn")) {
                r.error("sni", "missing (a route needs sni, alpn or both)");
            }
            String name = r.has("name") ? r.name("name", NameRule.PLAIN) : pool;
            if (name != null && firstByName.putIfAbsent(name, r.path()) != null) {
                r.error("name", "duplicate route name " + ConfigError.quote(name) + " (also "
                        + firstByName.get(name) + ")" + (r.has("name") ? "" : ": two routes to one pool need names"));
            }
            routes.add(new RouteConfig(name, sni.stream().map(ServerNames::normalise).toList(), alpn, pool));
        }
        Duration timeout = t.duration("client_hello_timeout", SniRouting.DEFAULT_TIMEOUT, Duration.ofMillis(1),
                "1ms..24h");
        int max = (int) t.size("client_hello_max", SniRouting.DEFAULT_MAX, SniRouting.MIN_MAX,
                lb.tls.ClientHelloParser.MAX_LENGTH, "1KiB..40KiB");
        return new SniRouting(routes, timeout, max);
    }

    private static AdmissionConfig admission(TomlTable t) {
        AdmissionConfig d = AdmissionConfig.NONE;
        List<Cidr> allow = t.cidrs("allow");
        List<Cidr> deny = t.cidrs("deny");
        int sourceMax = (int) t.integer("source_max_connections", 0, 0, MAX_SOURCE_CONNECTIONS,
                "0.." + MAX_SOURCE_CONNECTIONS + "; 0 = no limit");
        String rateRange = "0..10000000 new connections a second; 0 = no limit";
        double sourceRate = t.decimal("source_rate", 0, 0, MAX_RATE, rateRange);
        int sourceBurst = (int) t.integer("source_burst", AdmissionConfig.defaultBurst(sourceRate, false), 1, MAX_BURST,
                "1.." + MAX_BURST);
        int prefix4 = (int) t.integer("source_prefix_ipv4", d.sourcePrefixIpv4(), 1, 32, "1..32");
        int prefix6 = (int) t.integer("source_prefix_ipv6", d.sourcePrefixIpv6(), 1, 128, "1..128");
        int tracked = (int) t.integer("max_tracked_sources", d.maxTrackedSources(), 1, MAX_TRACKED_SOURCES,
                "1.." + MAX_TRACKED_SOURCES);
        double rate = t.decimal("rate_limit", 0, 0, MAX_RATE, rateRange);
        int rateBurst = (int) t.integer("rate_limit_burst", AdmissionConfig.defaultBurst(rate, true), 1, MAX_BURST,
                "1.." + MAX_BURST);
        if (sourceRate == 0 && t.has("source_burst")) {
            t.error("source_burst", "has no effect without source_rate");
        }
        if (rate == 0 && t.has("rate_limit_burst")) {
            t.error("rate_limit_burst", "has no effect without rate_limit");
        }
        return new AdmissionConfig(allow, deny, sourceMax, sourceRate, sourceBurst, prefix4, prefix6, tracked, rate,
                rateBurst);
    }

    /** Null unless {@code proxy_protocol} is set; its two companion keys are refused without it. */
    private static ProxyProtocolAccept proxyProtocol(TomlTable t) {
        String none = "none";
        String versions = t.string("proxy_protocol", none);
        if (versions == null || versions.equals(none)) {
            for (String companion : List.of("proxy_protocol_timeout", "proxy_protocol_trusted")) {
                if (t.has(companion)) {
                    t.error(companion, "has no effect without proxy_protocol = \"v1\", \"v2\" or \"any\"");
                }
            }
            return null;
        }
        ProxyHeaderParser.Accept accept = null;
        for (ProxyHeaderParser.Accept a : ProxyHeaderParser.Accept.values()) {
            if (ProxyProtocolAccept.configName(a).equals(versions)) {
                accept = a;
            }
        }
        if (accept == null) {
            t.error("proxy_protocol", "unknown PROXY protocol version " + ConfigError.quote(versions)
                    + " (known: none, v1, v2, any)");
            return null;
        }
        Duration timeout = t.duration("proxy_protocol_timeout", ProxyProtocolAccept.DEFAULT_TIMEOUT,
                Duration.ofMillis(1), "1ms..24h");
        List<Cidr> trusted = t.cidrs("proxy_protocol_trusted");
        return new ProxyProtocolAccept(accept, timeout, trusted);
    }
}
