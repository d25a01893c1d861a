package lb.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Any thread (stateless). Reads one {@code [pool.discovery]} table. */
final class DiscoverySection {

    static final List<String> KEYS = List.of("backup", "max_backends", "max_refresh", "min_refresh", "name", "port",
            "refresh", "resolvers", "timeout", "type");
    private static final String NAME_PATTERN = "[A-Za-z0-9_]([A-Za-z0-9_\\-]{0,62})(\\.[A-Za-z0-9_]([A-Za-z0-9_\\-]{0,62}))*";

    private DiscoverySection() {
    }

    static DiscoveryConfig read(TomlTable t) {
        t.onlyKeys(KEYS);
        String name = t.requiredString("name", "the DNS name to query, e.g. \"_http._tcp.app.example\"");
        if (name != null) {
            name = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
            if (name.length() > 253 || !name.matches(NAME_PATTERN)) {
                t.error("name", ConfigError.quote(name) + " is not a DNS name (labels of 1..63 letters, digits, _ "
                        + "or -, dot-separated)");
            }
        }
        DiscoveryConfig.Type fallbackType = name != null && name.startsWith("_") ? DiscoveryConfig.Type.SRV
                : DiscoveryConfig.Type.A_AAAA;
        DiscoveryConfig.Type type = t.choice("type", "record type", fallbackType, DiscoveryConfig.Type.values(),
                DiscoveryConfig.Type::configName);
        int port = 0;
        if (type == DiscoveryConfig.Type.SRV) {
            if (t.has("port")) {
                t.error("port", "not with type = \"srv\": each SRV record carries its port");
            }
        } else if (!t.has("port") && (name != null || t.has("type"))) {
            t.error("port", "missing (required with type = \"" + type.configName() + "\": the backends' port 1..65535)");
        } else {
            port = (int) t.integer("port", 0, 1, 65535, "1..65535");
        }
        List<InetSocketAddress> resolvers = new ArrayList<>();
        if (t.has("resolvers")) {
            List<String> texts = t.strings("resolvers");
            for (int i = 0; i < texts.size(); i++) {
                InetSocketAddress resolver = resolver(texts.get(i));
                if (resolver == null) {
                    t.error("resolvers[" + i + "]", ConfigError.quote(texts.get(i)) + " is not an IP address with an "
                            + "optional port (\"127.0.0.53:53\", \"[2001:db8::53]:53\", \"10.0.0.2\")");
                } else {
                    resolvers.add(resolver);
                }
            }
            if (texts.isEmpty()) {
                t.error("resolvers", "empty (leave it out to use /etc/resolv.conf's name servers)");
            }
        } else {
            resolvers.addAll(ResolvConf.nameservers(ResolvConf.DEFAULT));
        }
        Duration refresh = null;
        Object rawRefresh = t.raw("refresh");
        if (rawRefresh != null && !"ttl".equals(rawRefresh)) {
            refresh = t.duration("refresh", null, Duration.ofMillis(10), "\"ttl\" or a duration 10ms..24h");
        }
        Duration min = t.duration("min_refresh", DiscoveryConfig.DEFAULT_MIN_REFRESH, Duration.ofMillis(10),
                "10ms..24h");
        Duration max = t.duration("max_refresh", DiscoveryConfig.DEFAULT_MAX_REFRESH, Duration.ofMillis(10),
                "10ms..24h");
        if (max.compareTo(min) < 0) {
            t.error("max_refresh", Durations.format(max) + " is below min_refresh (" + Durations.format(min) + ")");
        }
        Duration timeout = t.duration("timeout", DiscoveryConfig.DEFAULT_TIMEOUT, Duration.ofMillis(10),
                "10ms..24h");
        int maxBackends = (int) t.integer("max_backends", DiscoveryConfig.DEFAULT_MAX_BACKENDS, 1,
                DiscoveryConfig.MAX_MAX_BACKENDS, "1.." + DiscoveryConfig.MAX_MAX_BACKENDS);
        boolean backup = t.bool("backup", false);
        return new DiscoveryConfig(name, type, port, resolvers, refresh, min, max, timeout, maxBackends, backup);
    }

    /** "ip", "ip:port", "[v6]" or "[v6]:port"; null when it is not one (names are refused: no lookup to find the resolver). */
    static InetSocketAddress resolver(String text) {
        String host = text;
        int port = 53;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.matches(":[0-9]{1,5}")) {
                    return null;
                }
                port = Integer.parseInt(rest.substring(1));
            }
        } else if (text.indexOf(':') > 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            if (!text.matches(".*:[0-9]{1,5}")) {
                return null;
            }
            host = text.substring(0, text.indexOf(':'));
            port = Integer.parseInt(text.substring(text.indexOf(':') + 1));
        }
        if (port < 1 || port > 65535) {
            return null;
        }
        InetAddress ip = ResolvConf.literal(host);
        return ip == null ? null : new InetSocketAddress(ip, port);
    }
}
