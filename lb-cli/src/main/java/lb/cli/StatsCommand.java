package lb.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import lb.protocol.Reply;
import lb.protocol.Request;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** Main thread only. {@code lb-cli stats}: traffic, how sessions ended, and latency percentiles. */
@Command(description = {"Per listener and backend: sessions, bytes, rates, connect failures, "
        + "how sessions ended, and latency percentiles (connect, first byte, duration)."})
final class StatsCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    @Override
    public Integer call() {
        return root.request(new Request.Stats(), Reply.Stats.class, StatsCommand::print);
    }

    /** From {@link Reply.Stats#figures()}, the nested objects of docs/metrics.md. */
    private static void print(Reply.Stats stats, PrintWriter out) {
        Map<String, Object> r = stats.figures();
        out.println("lb-daemon " + stats.version() + ", up " + StatusCommand.duration(stats.uptimeMs())
                + (Boolean.TRUE.equals(r.get("enabled")) ? "" : " (stats off: [daemon] stats = false)"));
        Table listeners = new Table("LISTENER", "ACTIVE", "SESSIONS", "NEW/S", "UP", "DOWN", "UP/S", "DOWN/S",
                "RETRIES", "REFUSED", "ENDED");
        Table backends = new Table("POOL", "BACKEND", "ACTIVE", "SESSIONS", "NEW/S", "UP", "DOWN", "UP/S", "DOWN/S",
                "FAILED r/t/o", "AT LIMIT", "ENDED");
        Table latency = new Table("LATENCY", "N 10S", "P50 10S", "P99 10S", "N 60S", "P50 60S", "P99 60S", "N ALL",
                "P99 ALL", "MAX ALL");
        for (Object o : (List<?>) r.get("listeners")) {
            Map<?, ?> l = (Map<?, ?>) o;
            listeners.row(l.get("name"), l.get("active_sessions"), l.get("sessions_total"),
                    rate((Number) l.get("sessions_per_s")), bytes((Number) l.get("bytes_up")),
                    bytes((Number) l.get("bytes_down")), bytes((Number) l.get("bytes_up_per_s")) + "/s",
                    bytes((Number) l.get("bytes_down_per_s")) + "/s", l.get("retries"), refused(l),
                    ended((Map<?, ?>) l.get("ended")));
            latency(latency, l.get("name") + " first byte", l.get("first_byte"));
            latency(latency, l.get("name") + " duration", l.get("duration"));
        }
        for (Object o : (List<?>) r.get("pools")) {
            Map<?, ?> p = (Map<?, ?>) o;
            for (Object ob : (List<?>) p.get("backends")) {
                Map<?, ?> b = (Map<?, ?>) ob;
                Map<?, ?> failed = (Map<?, ?>) b.get("connect_failures");
                backends.row(p.get("name"), b.get("name"), b.get("active_sessions"), b.get("sessions_total"),
                        rate((Number) b.get("sessions_per_s")), bytes((Number) b.get("bytes_up")),
                        bytes((Number) b.get("bytes_down")), bytes((Number) b.get("bytes_up_per_s")) + "/s",
                        bytes((Number) b.get("bytes_down_per_s")) + "/s",
                        failed.get("refused") + "/" + failed.get("timeout") + "/" + failed.get("other"),
                        b.get("rejected_at_limit"), ended((Map<?, ?>) b.get("ended")));
                String name = p.get("name") + "/" + b.get("name");
                latency(latency, name + " connect", b.get("connect"));
                latency(latency, name + " duration", b.get("duration"));
            }
        }
        out.print(listeners);
        out.println();
        out.print(backends);
        out.println();
        out.print(latency);
        out.println("(latency in ms over the sessions that ended in the last 10 s, 60 s, and since start; up = client to backend; FAILED = connects refused/timed out/other; stats events: "
                + r.get("events_processed") + " processed, " + r.get("events_dropped") + " dropped)");
        if (r.get("access_log") instanceof Map<?, ?> log && "file".equals(log.get("target"))) {
            out.println("access log " + log.get("path") + ": " + log.get("lines_written") + " lines written, "
                    + log.get("dropped") + " dropped (writer behind), " + log.get("write_errors") + " lost to write "
                    + "errors, " + log.get("reopens") + " reopens");
        }
    }

    /** Connections the admission rules or the PROXY header check turned away, as "reason n, ..." or "-". */
    static String refused(Map<?, ?> listener) {
        StringBuilder text = new StringBuilder();
        for (String key : new String[] {"refused", "proxy_protocol_rejected"}) {
            if (listener.get(key) instanceof Map<?, ?> counts) {
                for (Map.Entry<?, ?> e : counts.entrySet()) {
                    if (((Number) e.getValue()).longValue() > 0) {
                        text.append(text.length() > 0 ? ", " : "").append(key.startsWith("proxy") ? "proxy " : "")
                                .append(e.getKey()).append(' ').append(e.getValue());
                    }
                }
            }
        }
        return text.length() > 0 ? text.toString() : "-";
    }

    /** A latency's row: the last 10 s and 60 s (count, p50, p99), then since start (count, p99, max). */
    private static void latency(Table table, String name, Object value) {
        Map<?, ?> l = (Map<?, ?>) value;
        Map<?, ?> last10 = l.get("last_10s") instanceof Map<?, ?> m ? m : Map.of("count", 0L);
        Map<?, ?> last60 = l.get("last_60s") instanceof Map<?, ?> m ? m : Map.of("count", 0L);
        table.row(name, last10.get("count"), quantile(last10, "p50_ms"), quantile(last10, "p99_ms"),
                last60.get("count"), quantile(last60, "p50_ms"), quantile(last60, "p99_ms"),
                l.get("count"), quantile(l, "p99_ms"), quantile(l, "max_ms"));
    }

    /** {@code key} of a window in ms, or "-" when no session ended in it. */
    static String quantile(Map<?, ?> window, String key) {
        return ((Number) window.get("count")).longValue() == 0 ? "-" : ms(window.get(key));
    }

    /** How sessions ended, only the kinds that happened: "completed 40, idle_timeout 2". */
    static String ended(Map<?, ?> ends) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<?, ?> e : ends.entrySet()) {
            if (((Number) e.getValue()).longValue() > 0) {
                text.append(text.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
            }
        }
        return text.length() == 0 ? "-" : text.toString();
    }

    private static String ms(Object value) {
        double ms = ((Number) value).doubleValue();
        return String.format(Locale.ROOT, ms < 10 ? "%.2f" : ms < 1000 ? "%.1f" : "%.0f", ms);
    }

    static String rate(Number perSecond) {
        return String.format(Locale.ROOT, "%.1f", perSecond.doubleValue());
    }

    /** Bytes in binary units: "512 B", "1.5 KiB", "20.0 MiB". */
    static String bytes(Number value) {
        double n = value.doubleValue();
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        while (n >= 1024 && unit < units.length - 1) {
            n /= 1024;
            unit++;
        }
        return unit == 0 ? String.format(Locale.ROOT, "%.0f B", n) : String.format(Locale.ROOT, "%.1f %s", n, units[unit]);
    }
}
