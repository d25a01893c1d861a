package lb.config;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Any thread (stateless). Reads a {@code [pool.health]} table: the active check. */
final class HealthSection {

    static final List<String> KEYS = List.of("expect", "expect_status", "fall", "host", "initial_state",
            "interval", "path", "port", "rise", "send", "timeout", "type");
    static final int MAX_RISE_FALL = 100;
    static final int MAX_PROBE_BYTES = 4096;
    private static final Pattern STATUS_RANGE = Pattern.compile("(\\d{3})(?:-(\\d{3}))?");

    private HealthSection() {
    }

    static ActiveCheck read(TomlTable t) {
        t.onlyKeys(KEYS);
        if (!t.has("type")) {
            t.error("type", "missing (required: tcp, http or send_expect)");
        }
        ActiveCheck.Type type = t.choice("type", "check type", ActiveCheck.Type.TCP, ActiveCheck.Type.values(),
                ActiveCheck.Type::configName);
        Duration interval = t.duration("interval", ActiveCheck.DEFAULT_INTERVAL, Duration.ofMillis(10), "10ms..24h");
        Duration timeout = t.duration("timeout", ActiveCheck.DEFAULT_TIMEOUT, Duration.ofMillis(1),
                "1ms..24h, at most interval");
        if (timeout.compareTo(interval) > 0) {
            t.error("timeout", Durations.format(timeout) + " is longer than interval " + Durations.format(interval)
                    + " (a probe must end before the next one starts)");
        }
        int rise = (int) t.integer("rise", ActiveCheck.DEFAULT_RISE, 1, MAX_RISE_FALL, "1.." + MAX_RISE_FALL);
        int fall = (int) t.integer("fall", ActiveCheck.DEFAULT_FALL, 1, MAX_RISE_FALL, "1.." + MAX_RISE_FALL);
        int port = (int) t.integer("port", 0, 0, 65535, "0..65535; 0 = the backend's port");
        onlyFor(t, type, ActiveCheck.Type.HTTP, "path", "host", "expect_status");
        onlyFor(t, type, ActiveCheck.Type.SEND_EXPECT, "send", "expect");
        String path = t.string("path", ActiveCheck.DEFAULT_PATH);
        if (path != null && (!path.startsWith("/") || !printableAscii(path))) {
            t.error("path", ConfigError.quote(path) + " is not a path (starts with /, printable ASCII, no spaces)");
        }
        String host = t.string("host", null);
        if (host != null && (host.isEmpty() || !printableAscii(host))) {
            t.error("host", ConfigError.quote(host) + " is not a host name (printable ASCII, no spaces)");
        }
        int[] status = statusRange(t);
        byte[] send = probeBytes(t, "send");
        byte[] expect = probeBytes(t, "expect");
        if (type == ActiveCheck.Type.SEND_EXPECT && (expect == null || expect.length == 0) && t.has("type")) {
            t.error("expect", "missing (required for send_expect: the reply's expected first bytes)");
        }
        String initial = t.string("initial_state", "down");
        if (initial != null && !initial.equals("down") && !initial.equals("up")) {
            t.error("initial_state", "unknown initial state " + ConfigError.quote(initial) + " (known: down, up)");
        }
        return new ActiveCheck(type, interval, timeout, rise, fall, port, path, host, status[0], status[1], send,
                expect, "up".equals(initial));
    }

    private static void onlyFor(TomlTable t, ActiveCheck.Type type, ActiveCheck.Type owner, String... keys) {
        if (type == owner) {
            return;
        }
        for (String key : keys) {
            if (t.has(key)) {
                t.error(key, "only for type = \"" + owner.configName() + "\" (this check is \"" + type.configName()
                        + "\")");
            }
        }
    }

    private static boolean printableAscii(String text) {
        return text.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    /** {@code expect_status}: {@code "200-399"} or one status; 100..599. */
    private static int[] statusRange(TomlTable t) {
        int[] fallback = {ActiveCheck.DEFAULT_STATUS_MIN, ActiveCheck.DEFAULT_STATUS_MAX};
        Object value = t.raw("expect_status");
        if (value == null) {
            return fallback;
        }
        String text = String.valueOf(value);
        Matcher m = STATUS_RANGE.matcher(text);
        if (!(value instanceof String || value instanceof Long) || !m.matches()) {
            t.error("expect_status", ConfigError.show(value) + " is not a status or range (e.g. \"200-399\" or 204)");
            return fallback;
        }
        int low = Integer.parseInt(m.group(1));
        int high = m.group(2) == null ? low : Integer.parseInt(m.group(2));
        if (low < 100 || high > 599 || low > high) {
            t.error("expect_status", ConfigError.show(value) + " is out of range (allowed: 100..599, low-high)");
            return fallback;
        }
        return new int[] {low, high};
    }

    /**
     * Bytes for a probe: the string's UTF-8, with escapes {@code \r \n \t \0 \\ \xHH} (TOML basic
     * strings turn most of them into characters already; a 'literal string' keeps them for us).
     */
    private static byte[] probeBytes(TomlTable t, String key) {
        String text = t.string(key, null);
        if (text == null) {
            return null;
        }
        try {
            byte[] bytes = ProbeBytes.unescape(text);
            if (bytes.length > MAX_PROBE_BYTES) {
                t.error(key, bytes.length + " bytes is too long (at most " + MAX_PROBE_BYTES + ")");
                return null;
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            t.error(key, e.getMessage());
            return null;
        }
    }
}
