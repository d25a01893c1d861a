package lb.session;

/** Any thread (immutable). How a session ended, as the access log and stats name it. */
public enum Termination {
    /** Both directions ended with EOF and every byte was delivered. */
    COMPLETED("completed", false),
    /** The client reset the connection (or a write to it failed); the backend got an RST. */
    CLIENT_RESET("client_reset", true),
    /** The backend reset the connection (or a write to it failed); the client got an RST. */
    BACKEND_RESET("backend_reset", true),
    /** No eligible backend to try. */
    NO_BACKEND("no_backend", false),
    /** Every backend tried refused, failed or timed out. */
    CONNECT_FAILED("connect_failed", false),
    /** No byte either way for {@code idle_timeout}. */
    IDLE_TIMEOUT("idle_timeout", false),
    /** One direction ended and the other did not within {@code half_close_timeout}. */
    HALF_CLOSE_TIMEOUT("half_close_timeout", false),
    /**
     * Its peer took no bytes for a long time while the loop's buffer pool was empty and other
     * sessions waited for a buffer: closed (reset) to make room (docs/operations.md, faults).
     */
    WRITE_STALLED("write_stalled", true),
    /**
     * Its peer did not take all it was sent, the first time, while the loop's buffer pool had no
     * room for the rest (reserve included) and no long-stalled session to close instead: reset.
     */
    NO_BUFFER("no_buffer", true),
    /** Closed by the operator: its backend was disabled (or a drain's deadline closed it); both sides reset. */
    ADMIN_CLOSE("admin_close", true),
    /** Reset by the operator by id, client or backend ({@code lb-cli kill-session}); both sides reset. */
    KILLED("killed", true),
    /**
     * Its PROXY protocol header was bad, late, incomplete, or sent by an untrusted peer: reset, as
     * there is nothing to deliver and a prober or attacker should not leave lb in TIME_WAIT.
     */
    PROXY_REJECTED("proxy_rejected", true),
    /**
     * Turned away by the listener's admission rules after its PROXY header named the client: reset,
     * counted, and (like refusals at accept) not an access-log line.
     */
    REFUSED("refused", true),
    /** Its listener routes by server name, no route took it, and the listener has no default pool: reset. */
    NO_ROUTE("no_route", true),
    /** Still open when the daemon's shutdown grace ran out. */
    SHUTDOWN("shutdown", false),
    /** An unexpected failure in the daemon; both sides were reset. */
    INTERNAL_ERROR("internal_error", true);

    private final String label;
    private final boolean abortive;

    Termination(String label, boolean abortive) {
        this.label = label;
        this.abortive = abortive;
    }

    /** The access-log word. */
    public String label() {
        return label;
    }

    /** Whether the remaining side is closed with RST (SO_LINGER 0) rather than FIN. */
    public boolean abortive() {
        return abortive;
    }
}
