package lb.config;

import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Any thread (immutable). One problem found in a configuration: where it is and what is wrong.
 *
 * @param keyPath where the problem is: a key path such as {@code listener[0].bind} (indices are
 *                0-based positions in the file), {@code line N} for TOML syntax errors, {@code toml}
 *                when the parser gives no line, the file's path when it cannot be read, or a command
 *                line flag such as {@code --listen}
 * @param message what was wrong, quoting the bad value, and what is allowed
 */
public record ConfigError(String keyPath, String message) {

    /** {@code keyPath: message}, the form printed by {@code --check-config}. */
    @Override
    public String toString() {
        return keyPath + ": " + message;
    }

    /** How a value from the file is shown in a message: strings quoted as TOML writes them. */
    static String show(Object value) {
        if (value instanceof String text) {
            return quote(text);
        }
        if (value instanceof Map) {
            return "a table";
        }
        if (value instanceof List) {
            return "an array";
        }
        if (value instanceof Date date) {
            return date.toInstant().toString();
        }
        return String.valueOf(value);
    }

    /** {@code text} in double quotes, escaped so a stray quote or control character is visible. */
    static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                quoted.append(String.format("\\u%04X", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
