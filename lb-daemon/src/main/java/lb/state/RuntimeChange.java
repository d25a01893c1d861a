package lb.state;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import lb.config.BackendConfig;

/**
 * Immutable; any thread. One way the live state differs from the config file because of an admin
 * command, with the config's value at the time, so that a later edit of the same key in the file
 * can be told apart (the file then wins).
 *
 * @param pool    pool name
 * @param backend backend name
 * @param key     {@link #WEIGHT}, {@link #ADMIN_STATE}, {@link #ADDED} or {@link #REMOVED}
 * @param value   the live value: a weight, an admin state name, the address of an added backend, or
 *                null for a removed one
 * @param config  the file's value when the change was made: its weight, "active", null for an
 *                added backend (the file did not have it), the address of a removed one
 * @param weight  an added backend's weight; 0 otherwise
 */
public record RuntimeChange(String pool, String backend, String key, Object value, Object config, long weight) {

    public static final String WEIGHT = "weight";
    public static final String ADMIN_STATE = "admin_state";
    public static final String ADDED = "added";
    public static final String REMOVED = "removed";
    private static final Pattern IPV4_PORT = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3}):(\\d{1,5})");
    private static final Pattern IPV6_PORT = Pattern.compile("\\[[0-9a-fA-F:.]+\\]:\\d{1,5}");

    public String target() {
        return pool + "/" + backend;
    }

    /** As the state file and the {@code diff} command show it. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", target());
        m.put("key", key);
        m.put("value", value);
        m.put("config", config);
        if (ADDED.equals(key)) {
            m.put("weight", weight);
        }
        return m;
    }

    /**
     * One entry of a state file.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    static RuntimeChange fromJson(Object entry) {
        if (!(entry instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("an entry is not an object");
        }
        if (!(m.get("target") instanceof String target) || target.indexOf('/') <= 0
                || target.indexOf('/') == target.length() - 1) {
            throw new IllegalArgumentException("an entry has no \"target\" pool/backend");
        }
        Object key = m.get("key");
        if (!WEIGHT.equals(key) && !ADMIN_STATE.equals(key) && !ADDED.equals(key) && !REMOVED.equals(key)) {
            throw new IllegalArgumentException(target + ": unknown key " + key);
        }
        Object value = m.get("value");
        Object config = m.get("config");
        boolean valid = switch ((String) key) {
            case WEIGHT -> value instanceof Long v && v >= 0 && v <= BackendConfig.MAX_WEIGHT
                    && config instanceof Long;
            case ADMIN_STATE -> value instanceof String && config instanceof String;
            case ADDED -> value instanceof String address && isLiteralAddress(address) && config == null
                    && m.get("weight") instanceof Long w && w >= 1 && w <= BackendConfig.MAX_WEIGHT;
            default -> value == null && config instanceof String;
        };
        if (!valid) {
            throw new IllegalArgumentException(target + ": " + key + " entry with missing or invalid values");
        }
        int slash = target.indexOf('/');
        long weight = ADDED.equals(key) ? (Long) m.get("weight") : 0;
        return new RuntimeChange(target.substring(0, slash), target.substring(slash + 1), (String) key, value, config,
                weight);
    }

    /** {@code a.b.c.d:port} or {@code [v6]:port}: what the daemon writes, so reading it never looks a name up. */
    private static boolean isLiteralAddress(String text) {
        Matcher v4 = IPV4_PORT.matcher(text);
        if (v4.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(v4.group(i)) > 255) {
                    return false;
                }
            }
            return Integer.parseInt(v4.group(5)) <= 65535;
        }
        return IPV6_PORT.matcher(text).matches() && Integer.parseInt(text.substring(text.lastIndexOf(':') + 1)) <= 65535;
    }

    @Override
    public String toString() {
        return switch (key) {
            case WEIGHT -> target() + " weight " + value + " (config " + config + ")";
            case ADMIN_STATE -> target() + " " + value;
            case ADDED -> target() + " added at " + value + " weight " + weight;
            default -> target() + " removed (config " + config + ")";
        };
    }
}
