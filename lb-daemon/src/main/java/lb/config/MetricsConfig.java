package lb.config;

import java.net.InetSocketAddress;

/**
 * Immutable; any thread. The {@code [metrics]} table: the optional Prometheus text endpoint.
 *
 * @param listen address of the HTTP endpoint, or null when there is none (the default)
 * @param path   URL path the metrics are served on
 */
public record MetricsConfig(InetSocketAddress listen, String path) {

    public static final String DEFAULT_PATH = "/metrics";
    public static final MetricsConfig OFF = new MetricsConfig(null, DEFAULT_PATH);
}
