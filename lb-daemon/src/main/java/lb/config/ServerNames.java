package lb.config;

import java.util.Locale;

/**
 * Any thread (stateless). The server names a route may list: a DNS name as a client sends it in
 * SNI (A-labels for IDN: "xn--..."), or a wildcard "*.example.org" for every name below
 * example.org. Compared case-insensitively and without a trailing dot, so they are kept that way.
 */
final class ServerNames {

    private ServerNames() {
    }

    /** Lower case, without one trailing dot. */
    static String normalise(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /** Why {@code name} cannot be routed on, or null when it can. */
    static String problem(String name) {
        String n = normalise(name);
        String host = n.startsWith("*.") ? n.substring(2) : n;
        if (host.isEmpty()) {
            return "is not a server name (write \"api.example.com\" or \"*.example.org\")";
        }
        if (host.length() > 253) {
            return "is longer than a DNS name can be (253 characters)";
        }
        if (host.indexOf('*') >= 0) {
            return "has a * other than as its whole first label (\"*.example.org\" is the only wildcard form)";
        }
        for (String label : host.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                return "has an empty label or one longer than 63 characters";
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                    return "has a character a server name cannot have: " + ConfigError.quote(String.valueOf(c))
                            + " (IDN names are written as the client sends them, in xn-- form)";
                }
            }
        }
        return null;
    }
}
