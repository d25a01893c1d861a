package lb.bench.compare;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Main thread only. The comparison as a table (one row per proxy, medians, ratios to the
 * baseline in parentheses) or as JSON.
 */
final class CompareTable {

    private final List<ProxyKind> proxies;
    private final List<Metric> metrics;
    private final CompareResults results;
    private final ProxyKind baseline;

    CompareTable(List<ProxyKind> proxies, List<Metric> metrics, CompareResults results, ProxyKind baseline) {
        this.proxies = proxies;
        this.metrics = metrics;
        this.results = results;
        this.baseline = baseline;
    }

    void print(PrintWriter out) {
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("proxy"));
        for (Metric m : metrics) {
            header.add(m.label());
        }
        rows.add(header);
        for (ProxyKind kind : proxies) {
            List<String> row = new ArrayList<>(List.of(kind.cliName()));
            for (Metric m : metrics) {
                Double value = results.median(kind, m);
                Double ratio = results.ratio(kind, baseline, m);
                String cell = value == null ? "-" : String.format(Locale.ROOT, "%,." + m.decimals() + "f", value);
                if (value != null && !m.cpu() && kind != baseline && ratio != null) {
                    cell += String.format(Locale.ROOT, " (%.2fx)", ratio);
                }
                row.add(cell);
            }
            rows.add(row);
        }
        int[] widths = new int[header.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String format = i == 0 ? "%-" + widths[i] + "s" : "  %" + widths[i] + "s";
                line.append(String.format(Locale.ROOT, format, row.get(i)));
            }
            out.println(line.toString().stripTrailing());
        }
        out.println("(Nx) = ratio to " + baseline.cliName() + "; for p99 lower is better. CPU s: user+system seconds of"
                + " the proxy's processes during each load, warm-up included.");
    }

    List<Object> json() {
        List<Object> list = new ArrayList<>();
        for (ProxyKind kind : proxies) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", kind.cliName());
            for (Metric m : metrics) {
                Double value = results.median(kind, m);
                p.put(m.key(), value == null ? null : round(value));
                if (!m.cpu()) {
                    Double ratio = results.ratio(kind, baseline, m);
                    p.put(m.key() + "_ratio", ratio == null ? null : round(ratio));
                }
            }
            list.add(p);
        }
        return list;
    }

    private static double round(double d) {
        return Math.round(d * 1000) / 1000.0;
    }
}
