package lb.bench.compare;

import java.util.ArrayList;
import java.util.List;

/**
 * Any thread (immutable). One column of the comparison: a figure of one load mode, read from
 * {@code bench load --json} by {@code loadKey}, or the proxy's CPU seconds during that load.
 *
 * @param loadKey the {@code bench load} JSON key; null for the CPU column
 */
record Metric(String key, String label, String mode, String loadKey, int decimals) {

    boolean cpu() {
        return loadKey == null;
    }

    /** The columns of {@code modes}, in the order given: figures first, CPU seconds last. */
    static List<Metric> of(List<String> modes) {
        List<Metric> figures = new ArrayList<>();
        List<Metric> cpu = new ArrayList<>();
        for (String mode : modes) {
            switch (mode) {
                case "rr" -> {
                    figures.add(new Metric("rr_requests_per_s", "rr req/s", mode, "requests_per_s", 0));
                    figures.add(new Metric("rr_p99_us", "rr p99 µs", mode, "p99_us", 0));
                }
                case "crr" -> {
                    figures.add(new Metric("crr_connects_per_s", "crr conn/s", mode, "connects_per_s", 0));
                    figures.add(new Metric("crr_p99_us", "crr p99 µs", mode, "p99_us", 0));
                }
                case "throughput" -> figures.add(new Metric("throughput_gbit_per_s", "throughput Gbit/s", mode,
                        "gbit_per_s", 2));
                default -> throw new IllegalArgumentException("unknown mode '" + mode + "': use rr, crr or throughput");
            }
            cpu.add(new Metric(mode + "_cpu_s", mode + " CPU s", mode, null, 2));
        }
        figures.addAll(cpu);
        return figures;
    }
}
