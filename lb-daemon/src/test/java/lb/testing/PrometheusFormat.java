package lb.testing;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Any thread (stateless). A strict checker of the Prometheus text exposition format 0.0.4, as
 * strict as {@code promtool check metrics} on what lb writes: HELP and TYPE once per family and
 * before its samples, every sample in its declared family (counters end in {@code _total};
 * summaries have {@code quantile} samples, {@code _sum} and {@code _count}), a family's samples
 * together, valid metric and label names, escaped label values, no duplicate series, numeric
 * values. Returns the samples by series for assertions.
 */
public final class PrometheusFormat {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|summary|histogram|untyped)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(.*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
    private static final Set<String> TYPES_WITH_SUFFIXES = Set.of("summary", "histogram");

    private PrometheusFormat() {
    }

    /**
     * Checks {@code text}; returns each series ({@code name{labels}} as written) with its value.
     *
     * @throws AssertionError naming the line and what is wrong with it
     */
    public static Map<String, Double> parse(String text) {
        if (!text.endsWith("\n")) {
            throw new AssertionError("the exposition must end with a line feed");
        }
        Map<String, String> types = new HashMap<>();
        Set<String> helped = new HashSet<>();
        Set<String> closed = new HashSet<>();
        Map<String, Double> series = new LinkedHashMap<>();
        Map<String, double[]> lastBucket = new HashMap<>(); // per histogram series: the last le and its count
        String current = null;
        List<String> lines = List.of(text.split("\n", -1));
        for (int i = 0; i < lines.size() - 1; i++) {
            String line = lines.get(i);
            String where = "line " + (i + 1) + " \"" + line + "\": ";
            Matcher m;
            if ((m = HELP.matcher(line)).matches()) {
                if (!helped.add(m.group(1))) {
                    throw new AssertionError(where + "second HELP for " + m.group(1));
                }
                if (types.containsKey(m.group(1))) {
                    throw new AssertionError(where + "HELP after TYPE (lb writes HELP first)");
                }
                current = switchFamily(current, m.group(1), closed, where);
            } else if ((m = TYPE.matcher(line)).matches()) {
                if (types.put(m.group(1), m.group(2)) != null) {
                    throw new AssertionError(where + "second TYPE for " + m.group(1));
                }
                if (!m.group(1).equals(current)) {
                    throw new AssertionError(where + "TYPE of a family other than the one just HELPed");
                }
            } else if (line.startsWith("#")) {
                throw new AssertionError(where + "a comment that is neither HELP nor TYPE");
            } else if ((m = SAMPLE.matcher(line)).matches()) {
                String family = familyOf(m.group(1), types);
                if (family == null) {
                    throw new AssertionError(where + "sample without a TYPE line for its family");
                }
                if (!family.equals(current)) {
                    throw new AssertionError(where + "sample of " + family + " outside its family's block");
                }
                String type = types.get(family);
                Map<String, String> labels = labels(m.group(3) == null ? "" : m.group(3), where);
                if (type.equals("counter") && !m.group(1).endsWith("_total")) {
                    throw new AssertionError(where + "counter name without _total");
                }
                if (type.equals("summary") && m.group(1).equals(family) && !labels.containsKey("quantile")) {
                    throw new AssertionError(where + "summary sample without a quantile label");
                }
                if (type.equals("histogram") && m.group(1).equals(family)) {
                    throw new AssertionError(where + "histogram sample without _bucket, _sum or _count");
                }
                if (type.equals("histogram") && m.group(1).endsWith("_bucket")) {
                    if (!labels.containsKey("le")) {
                        throw new AssertionError(where + "histogram bucket without an le label");
                    }
                    double le = labels.get("le").equals("+Inf") ? Double.POSITIVE_INFINITY
                            : Double.parseDouble(labels.get("le"));
                    String seriesKey = family + labelsWithout(labels, "le");
                    double count = value(m.group(4), where);
                    double[] previous = lastBucket.get(seriesKey);
                    if (previous != null && (le <= previous[0] || count < previous[1])) {
                        throw new AssertionError(where + "buckets must rise in le and never fall in count");
                    }
                    lastBucket.put(seriesKey, new double[] {le, count});
                }
                double value = value(m.group(4), where);
                String key = m.group(1) + (m.group(2) == null ? "" : m.group(2));
                if (series.put(key, value) != null) {
                    throw new AssertionError(where + "duplicate series " + key);
                }
            } else {
                throw new AssertionError(where + "not a HELP, TYPE or sample line");
            }
        }
        for (Map.Entry<String, String> family : types.entrySet()) {
            if (!helped.contains(family.getKey())) {
                throw new AssertionError(family.getKey() + ": TYPE without HELP");
            }
            if (family.getValue().equals("histogram")) {
                for (Map.Entry<String, double[]> bucket : lastBucket.entrySet()) {
                    String key = bucket.getKey();
                    if (!key.startsWith(family.getKey() + "{") && !key.equals(family.getKey())) {
                        continue;
                    }
                    String labelsPart = key.substring(family.getKey().length());
                    Double count = series.get(family.getKey() + "_count" + labelsPart);
                    if (bucket.getValue()[0] != Double.POSITIVE_INFINITY || count == null
                            || count != bucket.getValue()[1] || !series.containsKey(family.getKey() + "_sum" + labelsPart)) {
                        throw new AssertionError(key + ": the last bucket must be le=\"+Inf\" and equal _count, with a _sum");
                    }
                }
            }
            if (family.getValue().equals("summary") && (series.keySet().stream().noneMatch(s -> s.startsWith(
                    family.getKey() + "_sum")) || series.keySet().stream().noneMatch(s -> s.startsWith(family.getKey()
                    + "_count")))) {
                throw new AssertionError(family.getKey() + ": summary without _sum or _count");
            }
        }
        return series;
    }

    private static String switchFamily(String current, String next, Set<String> closed, String where) {
        if (current != null) {
            closed.add(current);
        }
        if (closed.contains(next)) {
            throw new AssertionError(where + next + " appears in two blocks");
        }
        return next;
    }

    /** {@code {a="1",b="2"}} without {@code name}, in the labels' order; empty when none is left. */
    private static String labelsWithout(Map<String, String> labels, String name) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!e.getKey().equals(name)) {
                // as written: the values are kept as they appear in the text, escapes and all
                out.append(out.length() == 0 ? "{" : ",").append(e.getKey()).append("=\"").append(e.getValue()).append('"');
            }
        }
        return out.length() == 0 ? "" : out.append('}').toString();
    }

    /** The declared family a sample name belongs to (summaries and histograms have suffixed samples). */
    private static String familyOf(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : new String[] {"_sum", "_count", "_bucket"}) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if (TYPES_WITH_SUFFIXES.contains(types.get(base))) {
                    return base;
                }
            }
        }
        return null;
    }

    private static Map<String, String> labels(String text, String where) {
        Map<String, String> labels = new LinkedHashMap<>();
        int at = 0;
        while (at < text.length()) {
            Matcher m = LABEL.matcher(text).region(at, text.length());
            if (!m.lookingAt()) {
                throw new AssertionError(where + "bad label at \"" + text.substring(at) + "\"");
            }
            if (labels.put(m.group(1), m.group(2)) != null) {
                throw new AssertionError(where + "label " + m.group(1) + " twice");
            }
            at = m.end();
            if (at < text.length()) {
                if (text.charAt(at) != ',') {
                    throw new AssertionError(where + "labels not separated by a comma");
                }
                at++;
            }
        }
        return labels;
    }

    private static double value(String text, String where) {
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                // Go's ParseFloat syntax, not Java's (which also takes "1d", "0x1p3" or "Infinity").
                if (!NUMBER.matcher(text).matches()) {
                    throw new AssertionError(where + "value " + text + " is not a number");
                }
                return Double.parseDouble(text);
        }
    }
}
