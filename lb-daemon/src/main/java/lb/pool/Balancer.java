package lb.pool;

/**
 * Owned by one EventLoop thread. Picks a backend for a new session. One instance per event loop
 * per pool snapshot (Envoy's worker-local load balancer): mutable picking state such as a cursor is
 * a plain field, and anything precomputed (a table, a ring) is built once per snapshot off the
 * loops and shared read-only (see {@link BalancerFactory}).
 *
 * <p>Declared here, beside the {@link PoolSnapshot} that hands each loop its instance, and
 * implemented by one class per algorithm in {@code lb.balance} (as HAProxy's {@code struct lb_ops}
 * lives with the backend and each {@code lb_*.c} fills it): the pool never names an algorithm.
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
