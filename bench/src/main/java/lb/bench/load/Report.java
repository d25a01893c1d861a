package lb.bench.load;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Not thread-safe (built, then printed, by the main thread). A run's summary: ordered figures, each
 * with a JSON key, a label and a unit, printed as a two-column table or as one JSON object.
 */
final class Report {

    private record Figure(String key, String label, Object value, String unit) {
    }

    private final List<Figure> figures = new ArrayList<>();

    /** {@code value}: a String, Boolean, Long, Integer or Double (rounded to 3 decimals in JSON). */
    Report add(String key, String label, Object value, String unit) {
        figures.add(new Figure(key, label, value, unit));
        return this;
    }

    Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        for (Figure f : figures) {
            json.put(f.key(), f.value() instanceof Double d ? Math.round(d * 1000) / 1000.0 : f.value());
        }
        return json;
    }

    void printTable(PrintWriter out) {
        int width = 0;
        for (Figure f : figures) {
            width = Math.max(width, f.label().length());
        }
        for (Figure f : figures) {
            String value;
            if (f.value() instanceof Double d) {
                value = String.format(Locale.ROOT, Math.abs(d) >= 100 ? "%,.1f" : "%,.3f", d);
            } else if (f.value() instanceof Long || f.value() instanceof Integer) {
                value = String.format(Locale.ROOT, "%,d", f.value());
            } else {
                value = String.valueOf(f.value());
            }
            String unit = f.unit().isEmpty() ? "" : " " + f.unit();
            out.printf("  %-" + width + "s  %s%s%n", f.label(), value, unit);
        }
        out.flush();
    }
}
