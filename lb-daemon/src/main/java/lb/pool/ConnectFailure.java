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

    /** The word used in stats and metrics labels. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
