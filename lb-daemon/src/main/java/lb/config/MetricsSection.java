package lb.config;

import java.net.InetSocketAddress;
import java.util.List;

/** Any thread (stateless). Reads the {@code [metrics]} table. */
final class MetricsSection {

    static final List<String> KEYS = List.of("listen", "path");

    private MetricsSection() {
    }

    static MetricsConfig read(TomlTable t, Addresses addresses) {
        t.onlyKeys(KEYS);
        InetSocketAddress listen = t.has("listen")
                ? addresses.read(t, "listen", "host:port for the metrics endpoint", 0) : null;
        String path = t.string("path", MetricsConfig.DEFAULT_PATH);
        if (path != null && !path.matches("/[A-Za-z0-9._~/-]*")) {
            t.error("path", ConfigError.quote(path) + " is not a URL path (starts with /, letters, digits, . _ ~ - /)");
        }
        return new MetricsConfig(listen, path);
    }
}
