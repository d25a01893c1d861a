package lb.loop;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;

/**
 * Any thread (stateless). Socket choices shared by listeners and sessions (and the address text
 * that stats and the state file show); here with the loop's other NIO plumbing, below both.
 */
public final class Sockets {

    private Sockets() {
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
}
