package lb.config;

import java.util.List;

/**
 * Immutable; any thread. One {@code [[listener.route]]}: TLS connections whose ClientHello names one
 * of {@code sni} and offers one of {@code alpn} (each condition only when given) go to {@code pool}.
 *
 * @param name  unique in its listener; the metrics' {@code route} label (default: the pool's name)
 * @param sni   exact names ("api.example.com") and wildcards ("*.example.org": any name ending in
 *              ".example.org", however many labels before it), lower case, no trailing dot
 * @param alpn  protocol names ("h2", "http/1.1"), compared exactly
 * @param pool  the pool such sessions are balanced over
 */
public record RouteConfig(String name, List<String> sni, List<String> alpn, String pool) {

    public RouteConfig {
        sni = List.copyOf(sni);
        alpn = List.copyOf(alpn);
    }
}
