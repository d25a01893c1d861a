package lb.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import lb.config.ListenerConfig.AcceptMode;

/**
 * Any thread (stateless). Reads one {@code [[listener]]} table; {@link ConfigLoader} checks that
 * its pool exists and that its name and bind are unique.
 */
final class ListenerSection {

    static final List<String> KEYS = List.of("accept", "backlog", "bind", "connect_timeout", "half_close_timeout",
            "idle_timeout", "keepalive", "max_connections", "name", "pool", "receive_buffer", "send_buffer",
            "tcp_nodelay");
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
        return new ListenerConfig(name, bind, pool, timeouts, maxConnections, backlog, acceptMode, socket);
    }
}
