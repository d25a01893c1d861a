package lb.bench.load;

import java.io.IOException;
import java.net.ConnectException;
import java.util.Locale;

/** Any thread (immutable). Why an operation failed, as an operator tells failures apart. */
public enum ErrorKind {
    /** The connection was refused (RST to our SYN). */
    REFUSED,
    /** The peer aborted the connection (RST; lb does this when no backend can be reached) or a write hit a broken pipe. */
    RESET,
    /** Connect or the echo did not complete within {@code --timeout}. */
    TIMEOUT,
    /** The peer closed cleanly before answering in full. */
    CLOSED,
    /** Anything else (the message of the first one is reported). */
    OTHER;

    /** The JSON key suffix and table label. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** JDK socket errors carry their kind only in the message (from strerror), hence the text match. */
    static ErrorKind of(IOException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (e instanceof ConnectException || message.contains("refused")) {
            return message.contains("timed out") ? TIMEOUT : REFUSED;
        }
        if (message.contains("reset") || message.contains("broken pipe")) {
            return RESET;
        }
        if (message.contains("timed out")) {
            return TIMEOUT;
        }
        return OTHER;
    }
}
