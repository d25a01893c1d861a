package lb.balance;

import lb.pool.Backend;

/**
 * Owned by one EventLoop thread. Picks a backend for a new session. One instance per event loop
 * per pool snapshot (Envoy's worker-local load balancer): mutable picking state such as a cursor is
 * a plain field, and anything precomputed (a table, a ring) is built once per snapshot off the
 * loops and shared read-only (see {@link Balancers}).
 *
 * <p>Only eligible backends ({@link Backend#isEligible()}) are picked. A pick allocates nothing
 * and takes no lock.
 */
public interface Balancer {

    /**
     * Picks an eligible backend for {@code client}.
     *
     * @param client the client being placed (hashing algorithms hash its address)
     * @param avoid  a backend a retry must not reuse, or null
     * @return the backend, or null when no eligible backend (other than {@code avoid}) exists
     */
    Backend pick(ClientKey client, Backend avoid);
}
