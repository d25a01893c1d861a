package lb.loop;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

import lb.config.SocketOptions;

/**
 * Any thread (stateless). Socket choices shared by listeners and sessions (and the address text
 * that stats and the state file show); here with the loop's other NIO plumbing, below both.
 */
public final class Sockets {

    private static final java.nio.file.Path TCP_MIGRATE_REQ = java.nio.file.Path.of("/proc/sys/net/ipv4/tcp_migrate_req");

    private Sockets() {
    }

    /**
     * The host's net.ipv4.tcp_migrate_req (Linux 5.14+): 1 when connections queued on (or in
     * handshake with) a listening socket that closes move to another socket of its SO_REUSEPORT
     * group, which an upgrade relies on; 0 when they are reset; null when it cannot be read.
     */
    public static Long tcpMigrateReq() {
        try {
            return Long.parseLong(java.nio.file.Files.readString(TCP_MIGRATE_REQ).trim());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The family to open a socket with for {@code address}: an IPv4 address gets a plain IPv4
     * socket rather than the JDK's default dual-stack IPv6 one, which saves the v4-mapped
     * translation on every packet and reports addresses in their IPv4 form.
     */
    public static ProtocolFamily family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    /** {@code ip:port} (IPv6 in brackets) for logs, stats and the state file; the host name when unresolved. */
    public static String hostPort(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * {@code ip:port} as sessions and {@code status} have always shown it (an IPv6 address without
     * brackets); other addresses as they print.
     */
    public static String plainHostPort(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /** A listener's socket options, on one socket of a session. */
    public static void apply(SocketChannel channel, SocketOptions options) throws IOException {
        channel.setOption(StandardSocketOptions.TCP_NODELAY, options.tcpNoDelay());
        if (options.keepAlive()) {
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        }
        if (options.sendBuffer() > 0) {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, options.sendBuffer());
        }
        if (options.receiveBuffer() > 0) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBuffer());
        }
    }

    /** Closes {@code channel}, with RST when {@code reset}; never throws. */
    public static void closeQuietly(SocketChannel channel, boolean reset) {
        setLingerZero(channel, reset);
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more to do: the descriptor is released either way
        }
    }

    /** When {@code reset}: SO_LINGER 0, so that the close sends RST and the peer sees an abort, not a clean end. */
    public static void setLingerZero(SocketChannel channel, boolean reset) {
        try {
            if (reset && channel.isOpen()) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException | RuntimeException ignored) {
            // the socket is already broken; closing it is all that is left
        }
    }
}
