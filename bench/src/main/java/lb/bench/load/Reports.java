package lb.bench.load;

import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * Any thread (stateless). Turns a run's results into its {@link Report}: the figures of each mode,
 * with the JSON keys docs/benchmarks.md documents.
 */
final class Reports {

    private Reports() {
    }

    static Report common(LoadPlan plan, Timeline timeline) {
        Report report = new Report()
                .add("mode", "mode", plan.mode().cliName(), "")
                .add("target", "target", plan.target().getAddress().getHostAddress() + ":" + plan.target().getPort(), "")
                .add("connections", "connections", plan.connections(), "")
                .add("duration_s", "measured", timeline.measuredSeconds(), "s")
                .add("warmup_s", "warm-up (not measured)", plan.warmupNs() / 1e9, "s");
        if (timeline.stoppedEarly()) {
            report.add("stopped_early", "stopped early (signal)", Boolean.TRUE, "");
        }
        return report;
    }

    static Report throughput(LoadPlan plan, Timeline timeline, RunResult r) {
        Report report = common(plan, timeline).add("threads", "threads", Math.min(plan.threads(), plan.connections()), "")
                .add("direction", "direction", plan.direction().cliName(), "")
                .add("streams_connected", "streams connected", r.connected(), "")
                .add("bytes", plan.direction() == Direction.PUSH ? "bytes written" : "bytes read", r.bytes(), "")
                .add("gbit_per_s", "throughput", gbitPerSecond(r.bytes(), r.measuredSeconds()), "Gbit/s")
                .add("gbit_per_s_per_stream", "per stream (mean)",
                        gbitPerSecond(r.bytes(), r.measuredSeconds()) / plan.connections(), "Gbit/s");
        long min = Long.MAX_VALUE;
        long max = 0;
        for (long b : r.bytesPerStream()) {
            min = Math.min(min, Math.max(0, b));
            max = Math.max(max, b);
        }
        report.add("gbit_per_s_stream_min", "slowest stream", gbitPerSecond(min, r.measuredSeconds()), "Gbit/s")
                .add("gbit_per_s_stream_max", "fastest stream", gbitPerSecond(max, r.measuredSeconds()), "Gbit/s");
        if (plan.direction() == Direction.PUSH) {
            report.add("bytes_echoed", "bytes read back (whole run)", r.echoedBytes(), "");
        }
        return errors(report, r.errors(), r.firstError());
    }

    static Report requestResponse(LoadPlan plan, Timeline timeline, RunResult r) {
        Report report = common(plan, timeline).add("threads", "threads", Math.min(plan.threads(), plan.connections()), "")
                .add("size", "request size", plan.size(), "bytes")
                .add("rate", "target rate (0 = as fast as possible)", plan.rate(), plan.mode().rateUnit());
        if (plan.mode() == Mode.RR) {
            report.add("requests", "requests", r.operations(), "")
                    .add("requests_per_s", "requests/s", perSecond(r.operations(), r.measuredSeconds()), "req/s");
        } else if (plan.mode() == Mode.TLS) {
            report.add("sni", "server names (SNI), in turn", plan.sni().isEmpty() ? "(none)" : String.join(",", plan.sni()), "")
                    .add("alpn", "ALPN offered", plan.alpn().isEmpty() ? "(none)" : String.join(",", plan.alpn()), "")
                    .add("tls", "negotiated (first handshake)", r.tls() == null ? "(none)" : r.tls(), "")
                    .add("connects", "TLS connections completed", r.operations(), "")
                    .add("connects_per_s", "TLS connections/s", perSecond(r.operations(), r.measuredSeconds()), "conn/s");
        } else {
            report.add("connects", "connections completed", r.operations(), "")
                    .add("connects_per_s", "connections/s", perSecond(r.operations(), r.measuredSeconds()), "conn/s");
        }
        latencies(report, r.latencies(), plan.paced());
        return errors(report, r.errors(), r.firstError());
    }

    static Report idle(LoadPlan plan, Timeline timeline, IdleLoad.Result r) {
        Report report = common(plan, timeline)
                .add("opened", "opened", r.opened(), "")
                .add("failed", "failed to open", r.failedCount(), "")
                .add("held", "held to the end", r.held(), "")
                .add("dropped", "closed by the target", r.dropped(), "")
                .add("open_s", "time to open", r.openSeconds(), "s");
        return errors(report, r.failed(), r.firstError());
    }

    private static void latencies(Report report, Histogram h, boolean paced) {
        String from = paced ? " (from intended send)" : "";
        report.add("p50_us", "latency p50" + from, micros(h.getValueAtPercentile(50)), "µs")
                .add("p90_us", "latency p90", micros(h.getValueAtPercentile(90)), "µs")
                .add("p99_us", "latency p99", micros(h.getValueAtPercentile(99)), "µs")
                .add("p99_9_us", "latency p99.9", micros(h.getValueAtPercentile(99.9)), "µs")
                .add("max_us", "latency max", micros(h.getMaxValue()), "µs")
                .add("mean_us", "latency mean", h.getTotalCount() == 0 ? 0.0 : h.getMean() / 1000.0, "µs");
    }

    private static Report errors(Report report, Map<ErrorKind, Long> errors, String firstError) {
        long total = 0;
        for (long e : errors.values()) {
            total += e;
        }
        report.add("errors", "errors (whole run)", total, "");
        for (ErrorKind kind : ErrorKind.values()) {
            report.add("errors_" + kind.key(), "  " + kind.key(), errors.get(kind), "");
        }
        if (firstError != null) {
            report.add("first_error", "first error", firstError, "");
        }
        return report;
    }

    private static double gbitPerSecond(long bytes, double seconds) {
        return perSecond(bytes * 8, seconds) / 1e9;
    }

    /** 0 for an empty window (a run stopped during its warm-up), not NaN. */
    private static double perSecond(long amount, double seconds) {
        return seconds > 0 ? amount / seconds : 0;
    }

    private static double micros(long nanos) {
        return nanos / 1000.0;
    }
}
