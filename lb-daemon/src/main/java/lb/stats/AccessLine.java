package lb.stats;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import lb.config.AccessLogFormat;

/**
 * Not thread-safe: owned by the {@code lb-stats} thread (one builder, reused for every line). Writes
 * one ended session as an access-log line, in logfmt or JSON, with the same fields in the same order
 * either way. Strings are escaped so that a line is always one line and always parses: a name or
 * address with a quote, a backslash, a newline or another control character cannot forge a field
 * or a second line.
 */
public final class AccessLine {

    /** Fixed width (always milliseconds), UTC, so that lines sort as text and parse with any ISO-8601 reader. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final AccessLogFormat format;
    private final boolean withTime;
    private final StringBuilder line = new StringBuilder(256);

    /**
     * @param withTime whether lines start with {@code time} (a file needs it; the journal stamps each
     *                 line itself, and the journal's lines keep the shape they had before files)
     */
    public AccessLine(AccessLogFormat format, boolean withTime) {
        this.format = format;
        this.withTime = withTime;
    }

    /**
     * The line (without a newline) for one session.
     *
     * @param epochMs  when it was written ({@code time}), unused without time
     * @param backend  the backend's name, or null when none was connected ({@code -} in logfmt, null in JSON)
     * @param id       the session's id (last, so that readers of the earlier fields are not disturbed)
     */
    public String format(long epochMs, String client, String listener, String backend, long up, long down, long ms,
                         int tries, String end, long id) {
        return format(epochMs, client, listener, backend, up, down, ms, tries, end, id, null);
    }

    /**
     * As above, with {@code sni} (the ClientHello's server name on a listener that routes by it)
     * after the id when there is one: lines of other listeners keep their shape.
     */
    public String format(long epochMs, String client, String listener, String backend, long up, long down, long ms,
                         int tries, String end, long id, String sni) {
        line.setLength(0);
        if (format == AccessLogFormat.JSON) {
            line.append('{');
        }
        if (withTime) {
            text("time", TIME.format(Instant.ofEpochMilli(epochMs)));
        }
        text("client", client);
        text("listener", listener);
        text("backend", backend);
        number("up", up);
        number("down", down);
        number("ms", ms);
        number("tries", tries);
        text("end", end);
        number("id", id);
        if (sni != null) {
            text("sni", sni);
        }
        if (format == AccessLogFormat.JSON) {
            line.append('}');
        }
        return line.toString();
    }

    private void key(String key) {
        if (format == AccessLogFormat.JSON) {
            if (line.length() > 1) {
                line.append(',');
            }
            line.append('"').append(key).append("\":");
        } else {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(key).append('=');
        }
    }

    private void number(String key, long value) {
        key(key);
        line.append(value);
    }

    private void text(String key, String value) {
        key(key);
        if (format == AccessLogFormat.JSON) {
            if (value == null) {
                line.append("null");
            } else {
                quoted(value);
            }
        } else if (value == null) {
            line.append('-');
        } else if (needsQuotes(value)) {
            quoted(value);
        } else {
            line.append(value);
        }
    }

    /**
     * logfmt leaves a value bare unless it is empty or holds a space, {@code =}, a quote or a
     * character below U+0020 (or DEL); {@code -} alone would read as "none", so it is quoted too.
     */
    private static boolean needsQuotes(String value) {
        if (value.isEmpty() || value.equals("-")) {
            return true;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '=' || c == '"' || c == '\\' || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /**
     * In double quotes with JSON's escapes (RFC 8259 section 7), which logfmt readers also accept:
     * {@code \"}, {@code \\}, {@code \n}, {@code \r}, {@code \t}, and a {@code \\u} escape with four hex
     * digits for the other control characters (DEL included, so that no raw control byte reaches a
     * terminal).
     */
    private void quoted(String value) {
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    if (c < ' ' || c == 0x7f) {
                        line.append("\\u00").append(Character.forDigit(c >> 4, 16))
                                .append(Character.forDigit(c & 0xf, 16));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
    }
}
