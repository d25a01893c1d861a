package lb.bench.compare;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Main thread only. Every round's figure per proxy and metric; medians on request. A load that
 * failed simply adds nothing, and its cell shows "-".
 */
final class CompareResults {

    private final Map<ProxyKind, Map<String, List<Double>>> samples = new EnumMap<>(ProxyKind.class);

    void add(ProxyKind kind, Metric metric, double value) {
        samples.computeIfAbsent(kind, k -> new HashMap<>()).computeIfAbsent(metric.key(), k -> new ArrayList<>())
                .add(value);
    }

    /** Whether {@code kind} has any figure. */
    boolean has(ProxyKind kind) {
        return samples.containsKey(kind);
    }

    /** The median of the rounds, or null when there is no sample. */
    Double median(ProxyKind kind, Metric metric) {
        List<Double> values = samples.getOrDefault(kind, Map.of()).get(metric.key());
        if (values == null || values.isEmpty()) {
            return null;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** {@code kind}'s median over {@code baseline}'s, or null when either is missing or the baseline is 0. */
    Double ratio(ProxyKind kind, ProxyKind baseline, Metric metric) {
        Double value = median(kind, metric);
        Double base = median(baseline, metric);
        return value == null || base == null || base == 0 ? null : value / base;
    }
}
