package lb.pool;

import java.util.Locale;

/** Any thread (immutable). Why a DNS lookup of a pool's discovery failed, as stats and status count it. */
public enum DiscoveryFailure {
    /** No resolver answered within the timeout (a resolver down, a packet lost). */
    TIMEOUT,
    /** A resolver answered SERVFAIL (it could not get an answer itself). */
    SERVFAIL,
    /** The name does not exist (NXDOMAIN). */
    NXDOMAIN,
    /** The name exists but has no records of the type asked for, or none that gives a backend. */
    EMPTY,
    /** The answer did not fit in UDP (TC bit) and the retry over TCP failed. */
    TRUNCATED,
    /**
     * Nothing answers at the resolver's address: ICMP port unreachable (no DNS server running there),
     * connection refused (over TCP), or no route to it. Told apart from a timeout because it means
     * the resolver is down rather than slow or lossy.
     */
    UNREACHABLE,
    /** Anything else: REFUSED or another error code, a malformed answer, a network error. */
    OTHER;

    /** The word used in stats, metrics labels and status. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
