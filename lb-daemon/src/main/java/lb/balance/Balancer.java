package lb.balance;

import lb.pool.Backend;
import lb.session.Session;

/**
 * Owned by one EventLoop thread. Picks a backend for a new session. One instance per event loop
 * per pool snapshot (Envoy's worker-local load balancer): mutable picking state such as a cursor is
 * a plain field, and anything precomputed is shared read-only through the snapshot.
 */
public interface Balancer {

    /**
     * Picks an eligible backend for {@code session}.
     *
     * @param session the session being placed (its client address feeds hashing algorithms)
     * @param avoid   a backend a retry must not reuse, or null
     * @return the backend, or null when no eligible backend (other than {@code avoid}) exists
     */
    Backend pick(Session session, Backend avoid);
}
