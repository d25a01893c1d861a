package lb.protocol;

import java.util.Locale;

/**
 * Any thread. Why the daemon refused a request: the {@code "code"} field of an error reply, beside
 * its human {@code "error"} message. Scripts branch on the code; people read the message.
 */
public enum ErrorCode {
    /** Not JSON, not an object, a field missing or of the wrong type or range. */
    BAD_REQUEST,
    /** No command of that name. */
    UNKNOWN_COMMAND,
    /** The pool, backend or listener named does not exist. */
    NOT_FOUND,
    /** The change contradicts the current state (a duplicate name or address). */
    CONFLICT,
    /** The daemon will not do it now (reload refused, no config file, shutting down). */
    REFUSED,
    /** The daemon could not answer in time (loops or stats did not reply). */
    UNAVAILABLE,
    /** A protocol limit: line too long, too many clients, idle too long, too many queued commands. */
    LIMIT;

    /** The wire spelling: lower case with underscores. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The code of a wire spelling; {@link #REFUSED} for one this version does not know. */
    public static ErrorCode ofWire(Object text) {
        for (ErrorCode code : values()) {
            if (code.wireName().equals(text)) {
                return code;
            }
        }
        return REFUSED;
    }
}
