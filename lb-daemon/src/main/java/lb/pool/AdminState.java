package lb.pool;

/** Any thread (immutable). What the operator wants for a backend; independent of its health. */
public enum AdminState {
    /** Takes new sessions. */
    ACTIVE,
    /** Takes no new sessions; its open sessions continue. */
    DRAINING,
    /** Takes no new sessions; its open sessions are closed. */
    DISABLED
}
