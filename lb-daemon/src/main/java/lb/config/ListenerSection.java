package lb.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import lb.admission.Cidr;
import lb.config.ListenerConfig.AcceptMode;
import lb.proxyproto.ProxyHeaderParser;

/**
 * Any thread (stateless). Reads one {@code [[listener]]} table; {@link ConfigLoader} checks that
 * its pool exists and that its name and bind are unique.
 */
final class ListenerSection {

    static final List<String> KEYS = List.of("accept", "allow", "backlog", "bind", "connect_timeout", "deny",
            "half_close_timeout", "idle_timeout", "keepalive", "max_connections", "max_tracked_sources", "name", "pool",
            "proxy_protocol", "proxy_protocol_timeout", "proxy_protocol_trusted", "rate_limit", "rate_limit_burst",
            "receive_buffer", "send_buffer", "source_burst", "source_max_connections", "source_prefix_ipv4",
            "source_prefix_ipv6", "source_rate", "tcp_nodelay");
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
        String pool = t.requiredString("pool", "the name of a [[pool]]");
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
                proxyProtocol(t), admission(t));
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
