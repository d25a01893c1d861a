package lb.config;

import java.time.Duration;
import java.util.List;

/**
 * Immutable; any thread. A listener that routes TLS connections by the ClientHello's server name
 * (and ALPN) without terminating TLS: the routes in file order, and how long and how much of a
 * ClientHello it waits for. Sessions no route takes go to the listener's pool, or are reset when
 * it has none ({@code default_pool = "reject"}).
 *
 * @param routes             at least one
 * @param clientHelloTimeout how long a client has to send its whole ClientHello
 * @param clientHelloMax     the most bytes read while looking for it
 */
public record SniRouting(List<RouteConfig> routes, Duration clientHelloTimeout, int clientHelloMax) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX = 16 * 1024;
    public static final int MIN_MAX = 1024;

    public SniRouting {
        routes = List.copyOf(routes);
    }
}
