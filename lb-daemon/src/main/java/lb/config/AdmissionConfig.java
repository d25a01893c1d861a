package lb.config;

import java.util.List;

import lb.admission.Cidr;

/**
 * Immutable; any thread. Who a listener lets in, checked in this order before a backend is picked:
 * the allow/deny lists, then the per-source limits, with the listener-wide rate limit before accept.
 *
 * @param allow                  prefixes let in; when not empty, every other address is refused
 * @param deny                   prefixes refused; the longest matching prefix of the two lists decides
 * @param sourceMaxConnections   connections open at once from one source; 0 = no limit
 * @param sourceRate             new connections a second from one source (token bucket); 0 = no limit
 * @param sourceBurst            the bucket's size: new connections one source may open at once
 * @param sourcePrefixIpv4       IPv4 addresses sharing this many leading bits are one source
 * @param sourcePrefixIpv6       IPv6 addresses sharing this many leading bits are one source
 * @param maxTrackedSources      sources remembered at once (the table's bound)
 * @param rateLimit              new connections a second the listener accepts; above it they wait in
 *                               the kernel's backlog; 0 = no limit
 * @param rateLimitBurst         connections accepted at once when the listener has been quiet
 */
public record AdmissionConfig(List<Cidr> allow, List<Cidr> deny, int sourceMaxConnections, double sourceRate,
                              int sourceBurst, int sourcePrefixIpv4, int sourcePrefixIpv6, int maxTrackedSources,
                              double rateLimit, int rateLimitBurst) {

    public static final int DEFAULT_PREFIX_IPV4 = 32;
    public static final int DEFAULT_PREFIX_IPV6 = 64;
    public static final int DEFAULT_MAX_TRACKED_SOURCES = 65_536;
    public static final AdmissionConfig NONE = new AdmissionConfig(List.of(), List.of(), 0, 0, 1, DEFAULT_PREFIX_IPV4,
            DEFAULT_PREFIX_IPV6, DEFAULT_MAX_TRACKED_SOURCES, 0, 1);

    public AdmissionConfig {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
    }

    /** Whether anything is checked per connection after accept (lists or per-source limits). */
    public boolean checksSources() {
        return !allow.isEmpty() || !deny.isEmpty() || tracksSources();
    }

    /** Whether a per-source table is kept. */
    public boolean tracksSources() {
        return sourceMaxConnections > 0 || sourceRate > 0;
    }

    /** The default burst for a rate: one second's worth for a source, a tenth of one for a listener. */
    public static int defaultBurst(double rate, boolean listener) {
        return (int) Math.max(1, Math.ceil(listener ? rate / 10 : rate));
    }
}
