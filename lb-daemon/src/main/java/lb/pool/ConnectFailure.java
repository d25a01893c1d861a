package lb.pool;

import java.util.Locale;

/** Any thread (immutable). Why a connect to a backend failed, as stats count it. */
public enum ConnectFailure {
    /** The backend host answered with RST: nothing listens on the port. */
    REFUSED,
    /** No answer within the connect timeout. */
    TIMEOUT,
    /** Anything else: no route, host unreachable, out of local ports or descriptors. */
    OTHER;

    /** What a failed connect's exception means. */
    public static ConnectFailure of(java.io.IOException e) {
        return e instanceof java.net.ConnectException && String.valueOf(e.getMessage()).contains("refused") ? REFUSED
                : OTHER;
    }

    /**
     * Whether {@code e} is this host running out of something (descriptors, buffer space, memory,
     * local ports) rather than the backend failing: EMFILE, ENFILE, ENOBUFS, ENOMEM, EADDRNOTAVAIL.
     * Such a failure is never charged to a backend (it must not eject healthy ones). The JDK gives
     * only the system's message, so the match is on the Linux strerror texts.
     */
    public static boolean isLocal(java.io.IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("Too many open files") || message.contains("No buffer space available")
                || message.contains("Cannot allocate memory") || message.contains("Cannot assign requested address");
    }

    /** The word used in stats and metrics labels. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
