package lb.protocol;

/** Any thread. Bounds the protocol states and the daemon enforces (docs/admin.md). */
public final class Limits {

    /** A backend's weight: 0 (set-weight only: no new sessions) to this. */
    public static final int MAX_WEIGHT = 1000;
    public static final int DEFAULT_SESSION_LIMIT = 100;
    public static final int MAX_SESSION_LIMIT = 10_000;
    public static final int DEFAULT_SOURCE_LIMIT = 20;
    /** Session ids one kill-session may name. */
    public static final int MAX_KILL_IDS = 1_000;
    /** How long remove-backend waits for a backend's sessions before resetting them. */
    public static final long DEFAULT_REMOVE_TIMEOUT_MS = 30_000;
    /** A request or reply line, without its newline. */
    public static final int MAX_LINE_BYTES = 64 * 1024;

    private Limits() {
    }
}
