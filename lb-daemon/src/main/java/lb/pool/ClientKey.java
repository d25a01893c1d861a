package lb.pool;

import lb.config.HashKey;

/**
 * Owned by the EventLoop thread placing the session. What a {@link Balancer} may know of the client
 * it places: hashing algorithms hash its address; the others ignore it.
 */
public interface ClientKey {

    /**
     * A 64-bit hash of the client's address as {@code key} says (see {@code lb.balance.Hashing#address}):
     * the same client gives the same value in every process on every host.
     */
    long clientHash(HashKey key);
}
