package lb.config;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Any thread (immutable once made). Where each key path of a config file is written: the line of
 * {@code listener[0].bind} or of the {@code [[listener]]} header, so that a problem found after
 * parsing (the parser keeps no positions) can name its line, as {@code nginx -t} does. It reads
 * the simple layout lb's configs use (table headers, {@code key = value} lines); a key it cannot
 * place just has no line.
 */
public final class KeyLines {

    private static final Pattern HEADER = Pattern.compile("\\s*(\\[\\[?)\\s*([A-Za-z0-9_.\\-]+)\\s*\\]\\]?\\s*(#.*)?");
    private static final Pattern KEY = Pattern.compile("\\s*([A-Za-z0-9_\\-]+)\\s*=.*");

    private final Map<String, Integer> lines = new HashMap<>();

    private KeyLines() {
    }

    /** The key paths of {@code toml} and their 1-based lines. */
    public static KeyLines of(String toml) {
        KeyLines result = new KeyLines();
        Map<String, Integer> arrayCounts = new HashMap<>();
        Map<String, String> arrayPaths = new HashMap<>(); // "pool" -> "pool[1]": the current element
        String table = "";
        String[] text = toml.split("\n", -1);
        for (int i = 0; i < text.length; i++) {
            String line = text[i];
            Matcher header = HEADER.matcher(line);
            if (header.matches()) {
                String name = header.group(2);
                int dot = name.lastIndexOf('.');
                String parent = dot < 0 ? "" : arrayPaths.getOrDefault(name.substring(0, dot), name.substring(0, dot));
                String own = dot < 0 ? name : name.substring(dot + 1);
                String base = parent.isEmpty() ? own : parent + "." + own;
                if (header.group(1).equals("[[")) {
                    int index = arrayCounts.merge(base, 1, Integer::sum) - 1;
                    table = base + "[" + index + "]";
                    arrayPaths.put(name, table);
                    // A new element starts its own sub-arrays from 0.
                    arrayPaths.keySet().removeIf(k -> k.startsWith(name + "."));
                    String element = table;
                    arrayCounts.keySet().removeIf(k -> k.startsWith(element + "."));
                } else {
                    table = base;
                }
                result.lines.putIfAbsent(table, i + 1);
                continue;
            }
            Matcher key = KEY.matcher(line);
            if (key.matches()) {
                result.lines.putIfAbsent(table.isEmpty() ? key.group(1) : table + "." + key.group(1), i + 1);
            }
        }
        return result;
    }

    /** The line of {@code keyPath}, or of the nearest table above it that has one; 0 if none. */
    public int lineOf(String keyPath) {
        for (String path = keyPath; !path.isEmpty(); ) {
            Integer line = lines.get(path);
            if (line != null) {
                return line;
            }
            int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
            path = cut < 0 ? "" : path.substring(0, cut);
        }
        return 0;
    }
}
