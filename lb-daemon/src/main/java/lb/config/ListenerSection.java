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

    static final List<String> KEYS = List.of("accept", "backlog", "bind", "connect_timeout", "half_close_timeout",
            "idle_timeout", "keepalive", "max_connections", "name", "pool", "proxy_protocol", "proxy_protocol_timeout",
            "proxy_protocol_trusted", "receive_buffer", "send_buffer", "tcp_nodelay");
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
                proxyProtocol(t));
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
