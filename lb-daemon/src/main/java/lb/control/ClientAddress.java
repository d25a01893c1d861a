package lb.control;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

import lb.protocol.Json;
import lb.protocol.RefusedException;

/**
 * Immutable; any thread. A client as an admin command names it: "ip" or "ip:port" (IPv6 with a
 * port as [addr]:port); {@code port} is -1 when not given. Literals only: never a DNS lookup.
 */
record ClientAddress(InetAddress ip, int port) {

    /** Reads {@code text}, or refuses it as a bad request naming what was expected. */
    static ClientAddress parse(String text) {
        String host = text;
        int port = -1;
        int colon = text.lastIndexOf(':');
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            host = close > 0 ? text.substring(1, close) : text;
            if (close > 0 && close + 1 < text.length() && text.charAt(close + 1) != ':') {
                throw notAnAddress(text);
            }
            port = close > 0 && close + 1 < text.length() ? port(text.substring(close + 2)) : -1;
        } else if (colon > 0 && text.indexOf(':') == colon) {
            host = text.substring(0, colon);
            port = port(text.substring(colon + 1));
        }
        try {
            if (!host.matches("[0-9A-Fa-f:.]+")) {
                throw new UnknownHostException(host);
            }
            return new ClientAddress(InetAddress.getByName(host), port); // a literal: no DNS
        } catch (UnknownHostException e) {
            throw notAnAddress(text);
        }
    }

    /** Whether {@code address} is this client: the same IP, and the same port if one was given. */
    boolean matches(SocketAddress address) {
        return address instanceof InetSocketAddress a && a.getAddress() != null && a.getAddress().equals(ip)
                && (port < 0 || a.getPort() == port);
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw RefusedException.badRequest(Json.write(text) + " is not a port");
    }

    private static RefusedException notAnAddress(String text) {
        return RefusedException.badRequest(Json.write(text) + " is not an IP address (optionally :port)");
    }
}
