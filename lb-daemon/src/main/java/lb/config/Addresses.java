package lb.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Not thread-safe (an instance, one per load); the static parser is any thread. {@code host:port} values, IPv6 in brackets ({@code [::1]:443}),
 * with each host resolved once per load: a name that stops resolving later does not change a
 * running daemon, and a name written twice is not looked up twice.
 */
public final class Addresses {

    /** Host → address, empty when it does not resolve. */
    private final Map<String, Optional<InetAddress>> resolved = new HashMap<>();

    /**
     * The required {@code key} of {@code t}, resolved now. Null, with the problem recorded, when the
     * text is missing or malformed or the host does not resolve.
     *
     * @param what    what the address is for, shown when it is missing
     * @param minPort 0 where the kernel may pick the port, else 1
     */
    InetSocketAddress read(TomlTable t, String key, String what, int minPort) {
        String text = t.requiredString(key, what);
        if (text == null) {
            return null;
        }
        try {
            String[] hostPort = split(text, minPort);
            Optional<InetAddress> address = resolved.computeIfAbsent(hostPort[0], Addresses::resolve);
            if (address.isEmpty()) {
                throw new IllegalArgumentException("cannot resolve host " + ConfigError.quote(hostPort[0]));
            }
            return new InetSocketAddress(address.get(), Integer.parseInt(hostPort[1]));
        } catch (IllegalArgumentException e) {
            t.error(key, e.getMessage());
            return null;
        }
    }

    /**
     * Any thread: {@code text} as host:port (a port 1..65535), the host resolved now. The one
     * parser of backend addresses, for the config file and for {@code add-backend} alike.
     *
     * @throws IllegalArgumentException saying what is wrong with the text, or that the host does not resolve
     */
    public static InetSocketAddress backend(String text) {
        String[] hostPort = split(text, 1);
        return new InetSocketAddress(resolve(hostPort[0]).orElseThrow(() -> new IllegalArgumentException(
                "cannot resolve host " + ConfigError.quote(hostPort[0]))), Integer.parseInt(hostPort[1]));
    }

    /** Host and port of {@code text}; throws saying what is wrong with it. */
    private static String[] split(String text, int minPort) {
        String host;
        int colon = text.lastIndexOf(':');
        if (text.startsWith("[")) {
            host = colon > 0 && text.charAt(colon - 1) == ']' ? text.substring(1, colon - 1) : "";
        } else {
            // A second colon means an IPv6 literal without brackets: its port would be ambiguous.
            host = colon > 0 && text.indexOf(':') == colon ? text.substring(0, colon) : "";
        }
        String port = colon > 0 ? text.substring(colon + 1) : "";
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ') || !port.matches("[0-9]{1,5}")
                || Integer.parseInt(port) < minPort || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException(ConfigError.quote(text) + " is not host:port with a port " + minPort
                    + "..65535");
        }
        return new String[] {host, port};
    }

    private static Optional<InetAddress> resolve(String host) {
        try {
            return Optional.of(InetAddress.getByName(host));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
