package lb.config;

/**
 * Immutable; any thread. Socket options a listener applies to both sides of each session.
 *
 * @param tcpNoDelay    disable Nagle (default on: a relay must not add latency to small writes)
 * @param keepAlive     SO_KEEPALIVE on both sockets
 * @param sendBuffer    SO_SNDBUF in bytes; 0 leaves the kernel's auto-tuning alone
 * @param receiveBuffer SO_RCVBUF in bytes; 0 leaves the kernel's auto-tuning alone
 */
public record SocketOptions(boolean tcpNoDelay, boolean keepAlive, int sendBuffer, int receiveBuffer) {

    public static final SocketOptions DEFAULTS = new SocketOptions(true, false, 0, 0);
}
