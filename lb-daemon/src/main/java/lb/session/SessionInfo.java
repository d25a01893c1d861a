package lb.session;

/**
 * Immutable; any thread. What an admin listing shows of one open session, copied on its loop.
 *
 * @param id       the session's id, unique in the process (what kill-session takes)
 * @param client   client address as host:port
 * @param listener listener name
 * @param backend  "pool/backend", or "-" while not placed
 * @param ageMs    since accept
 * @param up       bytes client to backend so far
 * @param down     bytes backend to client so far
 */
public record SessionInfo(long id, String client, String listener, String backend, long ageMs, long up, long down) {
}
