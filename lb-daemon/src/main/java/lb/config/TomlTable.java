package lb.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import lb.admission.Cidr;
import java.util.Map;
import java.util.function.Function;

/**
 * Not thread-safe. One TOML table and its key path. Getters never throw: a bad value is recorded
 * as an error and the getter returns the default (or null for strings), so the walk goes on and
 * finds the next problem too.
 *
 * <p>Errors carry the key path only: toml4j's {@code toMap()} keeps no line numbers.
 */
final class TomlTable {

    /** Longer timeouts are mistakes, and the bound keeps {@code nowNs + timeoutNs} far from overflow. */
    static final Duration MAX_TIMEOUT = Duration.ofHours(24);

    private final String path;
    private final Map<String, Object> values;
    private final List<ConfigError> errors;

    /**
     * @param path   key path of the table, "" for the root
     * @param values shaped like toml4j's {@code toMap()}: tables as maps, arrays of tables as lists
     *               of maps, integers as Long
     * @param errors where every problem found in this table and those below it is added
     */
    TomlTable(String path, Map<String, Object> values, List<ConfigError> errors) {
        this.path = path;
        this.values = values;
        this.errors = errors;
    }

    String path() {
        return path;
    }

    void error(String key, String message) {
        errors.add(new ConfigError(path.isEmpty() ? key : path + "." + key, message));
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    Object raw(String key) {
        return values.get(key);
    }

    /** @param known sorted, as listed in the message */
    void onlyKeys(List<String> known) {
        values.keySet().stream().filter(key -> !known.contains(key)).sorted()
                .forEach(key -> error(key, "unknown key" + suggestion(key, known) + " (known: " + String.join(", ", known) + ")"));
    }

    /**
     * {@code ", did you mean workers?"} when one known key is a typo away from {@code key}: one edit
     * for short keys, two from six characters on (a swap of two letters is one edit).
     */
    private static String suggestion(String key, List<String> known) {
        String best = null;
        int bestDistance = key.length() >= 6 ? 3 : 2;
        for (String candidate : known) {
            int d = editDistance(key, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best == null ? "" : ", did you mean " + best + "?";
    }

    /** Edit distance with swaps of neighbours (optimal string alignment); keys are short. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** Records an error when {@code value} was already used under {@code key} in a sibling table. */
    void unique(String key, String value, Map<String, String> firstPathByValue) {
        if (value == null) {
            return;
        }
        String first = firstPathByValue.putIfAbsent(value, path);
        if (first != null) {
            error(key, "duplicate " + key + " " + ConfigError.quote(value) + " (also " + first + ")");
        }
    }

    /** A sub-table; an absent one reads as empty so every key in it takes its default. */
    TomlTable table(String key) {
        Object value = values.get(key);
        if (value != null && !(value instanceof Map)) {
            error(key, ConfigError.show(value) + " is not a table (write [" + key + "])");
        }
        return new TomlTable(path.isEmpty() ? key : path + "." + key, value instanceof Map<?, ?> map ? cast(map)
                : Map.of(), errors);
    }

    /** An array of tables, at least one. */
    List<TomlTable> tables(String key, String header) {
        Object value = values.get(key);
        String keyPath = path.isEmpty() ? key : path + "." + key;
        List<TomlTable> tables = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) instanceof Map<?, ?> map) {
                    tables.add(new TomlTable(keyPath + "[" + i + "]", cast(map), errors));
                } else {
                    error(key + "[" + i + "]", ConfigError.show(list.get(i)) + " is not a table (write each as "
                            + header + ")");
                }
            }
            if (list.isEmpty()) {
                error(key, "missing (at least one " + header + " is required)");
            }
        } else if (value == null) {
            error(key, "missing (at least one " + header + " is required)");
        } else {
            error(key, ConfigError.show(value) + " is not an array of tables (write each as " + header + ")");
        }
        return tables;
    }

    /** An array of strings; empty when absent. Each entry that is not a string is recorded with its index. */
    List<String> strings(String key) {
        Object value = values.get(key);
        List<String> strings = new ArrayList<>();
        if (value == null) {
            return strings;
        }
        if (!(value instanceof List<?> list)) {
            error(key, ConfigError.show(value) + " is not an array of strings (write [\"a\", \"b\"])");
            return strings;
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) instanceof String text) {
                strings.add(text);
            } else {
                error(key + "[" + i + "]", ConfigError.show(list.get(i)) + " is not a string");
            }
        }
        return strings;
    }

    /**
     * An array of address prefixes ("10.0.0.0/8", "2001:db8::/32", a bare address for one host);
     * empty when absent. Each bad entry is recorded with its index.
     */
    List<Cidr> cidrs(String key) {
        Object value = values.get(key);
        List<Cidr> cidrs = new ArrayList<>();
        if (value == null) {
            return cidrs;
        }
        if (!(value instanceof List<?> list)) {
            error(key, ConfigError.show(value) + " is not an array (write [\"10.0.0.0/8\", \"2001:db8::/32\"])");
            return cidrs;
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String text)) {
                error(key + "[" + i + "]", ConfigError.show(list.get(i)) + " is not a string such as \"10.0.0.0/8\"");
                continue;
            }
            try {
                cidrs.add(Cidr.parse(text));
            } catch (IllegalArgumentException e) {
                error(key + "[" + i + "]", e.getMessage());
            }
        }
        return cidrs;
    }

    /** Null, with the problem recorded, when the value is not a string. */
    String string(String key, String fallback) {
        return typed(key, String.class, fallback, null, " is not a string");
    }

    String requiredString(String key, String what) {
        if (!has(key)) {
            error(key, "missing (required: " + what + ")");
            return null;
        }
        return string(key, null);
    }

    /** A required name; null, with the problem recorded, when it breaks {@code rule}. */
    String name(String key, NameRule rule) {
        String name = requiredString(key, "a unique name");
        if (name != null && !rule.matches(name)) {
            error(key, ConfigError.quote(name) + " is not a valid name (allowed: " + rule.text() + ")");
            return null;
        }
        return name;
    }

    boolean bool(String key, boolean fallback) {
        return typed(key, Boolean.class, fallback, fallback, " is not a boolean (use true or false)");
    }

    /**
     * The value if it is a {@code type}, {@code fallback} if absent, else {@code ifWrongType} with the
     * error "value{@code wrongType}".
     */
    private <T> T typed(String key, Class<T> type, T fallback, T ifWrongType, String wrongType) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (type.isInstance(value)) {
            return type.cast(value);
        }
        error(key, ConfigError.show(value) + wrongType);
        return ifWrongType;
    }

    /** One of {@code values}, written as its {@code configName}. */
    <E extends Enum<E>> E choice(String key, String what, E fallback, E[] values, Function<E, String> configName) {
        String text = string(key, configName.apply(fallback));
        for (E value : values) {
            if (configName.apply(value).equals(text)) {
                return value;
            }
        }
        if (text != null) {
            List<String> known = Arrays.stream(values).map(configName).toList();
            error(key, "unknown " + what + " " + ConfigError.quote(text) + " (known: " + String.join(", ", known)
                    + ")");
        }
        return fallback;
    }

    /** A number, integer or not. */
    double decimal(String key, double fallback, double min, double max, String allowed) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number number)) {
            error(key, ConfigError.show(value) + " is not a number (allowed: " + allowed + ")");
            return fallback;
        }
        double d = number.doubleValue();
        if (!(d >= min && d <= max)) {
            error(key, ConfigError.show(value) + " is out of range (allowed: " + allowed + ")");
            return fallback;
        }
        return d;
    }

    long integer(String key, long fallback, long min, long max, String allowed) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Long || value instanceof Integer)) {
            error(key, ConfigError.show(value) + " is not an integer (allowed: " + allowed + ")");
            return fallback;
        }
        long number = ((Number) value).longValue();
        if (number < min || number > max) {
            error(key, number + " is out of range (allowed: " + allowed + ")");
            return fallback;
        }
        return number;
    }

    /** A {@link Durations} string from {@code min} to {@link #MAX_TIMEOUT}. */
    Duration duration(String key, Duration fallback, Duration min, String allowed) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String text)) {
            error(key, Durations.notADuration(ConfigError.show(value)));
            return fallback;
        }
        try {
            Duration duration = Durations.parse(text);
            if (duration.compareTo(min) >= 0 && duration.compareTo(MAX_TIMEOUT) <= 0) {
                return duration;
            }
            error(key, ConfigError.quote(text) + " is out of range (allowed: " + allowed + ")");
        } catch (IllegalArgumentException e) {
            error(key, e.getMessage());
        }
        return fallback;
    }

    /** A byte count: an integer, or a {@link Sizes} string. */
    long size(String key, long fallback, long min, long max, String allowed) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        long bytes;
        if (value instanceof Long || value instanceof Integer) {
            bytes = ((Number) value).longValue();
        } else if (value instanceof String text) {
            try {
                bytes = Sizes.parse(text);
            } catch (IllegalArgumentException e) {
                error(key, e.getMessage());
                return fallback;
            }
        } else {
            error(key, Sizes.notASize(ConfigError.show(value)));
            return fallback;
        }
        if (bytes < min || bytes > max) {
            error(key, ConfigError.show(value) + " is out of range (allowed: " + allowed + ")");
            return fallback;
        }
        return bytes;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        // toml4j's keys are always strings; QuickConfig builds the same shape.
        return (Map<String, Object>) map;
    }
}
