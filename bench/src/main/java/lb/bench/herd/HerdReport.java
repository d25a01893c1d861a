package lb.bench.herd;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import lb.bench.load.ErrorKind;

/**
 * Any thread (stateless). Prints herd results: the per-second table, the summary, the matrix
 * comparison, and their JSON form.
 */
final class HerdReport {

    private HerdReport() {
    }

    static void printSeconds(HerdResult r, PrintWriter out) {
        int k = r.plan().backends();
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%7s", "time"));
        for (int i = 0; i < k; i++) {
            header.append(String.format(Locale.ROOT, "%9s", i == 0 ? "b1*" : "b" + (i + 1)));
        }
        header.append(String.format(Locale.ROOT, "%11s%9s", "clients/s", "errors"));
        out.println("sessions per second accepted by each backend (lb's health probes included); * = killed");
        out.println(header);
        boolean marked = false;
        for (HerdSecond row : r.seconds()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%6.1fs", row.endS()));
            for (int i = 0; i < k; i++) {
                line.append(String.format(Locale.ROOT, "%9.0f", row.rate(i)));
            }
            line.append(String.format(Locale.ROOT, "%11.0f%9d", row.ok() / row.lengthS(), row.errors()));
            if (!marked && row.endS() >= r.killAtS()) {
                line.append(String.format(Locale.ROOT, "   <- b1 killed at %.2fs", r.killAtS()));
                marked = true;
            }
            out.println(line);
        }
        out.flush();
    }

    static void printSummary(HerdResult r, PrintWriter out) {
        HerdPlan p = r.plan();
        out.printf(Locale.ROOT, "summary: retry %s, circuit breaking %s, %d backends, %d clients, b1 killed at %.2f s of %.1f s%n",
                p.retry().cliName(), OnOff.text(p.circuitBreaking()), p.backends(), p.clients(), r.killAtS(),
                p.durationNs() / 1e9);
        out.printf(Locale.ROOT, "  %-26s %,d%n", "sessions completed", r.ok());
        StringBuilder kinds = new StringBuilder();
        for (ErrorKind kind : ErrorKind.values()) {
            kinds.append(kinds.length() == 0 ? "" : ", ").append(kind.key()).append(' ').append(r.errorsByKind().get(kind));
        }
        out.printf(Locale.ROOT, "  %-26s %,d  (%s)%n", "errors (failed sessions)", r.errors(), kinds);
        out.printf(Locale.ROOT, "  %-26s %,d%n", "requests given up", r.givenUp());
        out.printf(Locale.ROOT, "  %-26s %s%n", "recovery time", recovery(r));
        out.printf(Locale.ROOT, "  %-26s %.2f  (survivor peak %,.0f/s; mean per backend before the kill %,.0f/s)%n",
                "survivor max / mean", r.survivorRatio(), r.survivorMaxPerS(), r.meanPerBackendPerS());
        out.flush();
    }

    static void printMatrix(List<HerdResult> results, PrintWriter out) {
        out.printf("%-10s %-17s %10s %10s %11s %10s %18s%n", "retry", "circuit breaking", "sessions", "errors",
                "given up", "recovery", "survivor max/mean");
        for (HerdResult r : results) {
            out.printf(Locale.ROOT, "%-10s %-17s %,10d %,10d %,11d %10s %18.2f%n", r.plan().retry().cliName(),
                    OnOff.text(r.plan().circuitBreaking()), r.ok(), r.errors(), r.givenUp(),
                    r.recoveryS() == null ? "never" : String.format(Locale.ROOT, "%.2f s", r.recoveryS()),
                    r.survivorRatio());
        }
        out.println("recovery: from the kill until client errors stop for 1 s; \"never\" = errors until the end");
        out.flush();
    }

    private static String recovery(HerdResult r) {
        return r.recoveryS() == null ? "never (errors continued until the end of the run)"
                : String.format(Locale.ROOT, "%.2f s", r.recoveryS());
    }

    static Map<String, Object> json(HerdResult r) {
        HerdPlan p = r.plan();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("backends", p.backends());
        json.put("clients", p.clients());
        json.put("duration_s", p.durationNs() / 1e9);
        json.put("retry", p.retry().cliName());
        json.put("circuit_breaking", p.circuitBreaking());
        json.put("lb_retries", p.lbRetries());
        json.put("killed_backend", "b1");
        json.put("kill_at_s", round(r.killAtS()));
        json.put("sessions", r.ok());
        json.put("errors", r.errors());
        for (ErrorKind kind : ErrorKind.values()) {
            json.put("errors_" + kind.key(), r.errorsByKind().get(kind));
        }
        json.put("given_up", r.givenUp());
        json.put("recovery_s", r.recoveryS() == null ? null : round(r.recoveryS()));
        json.put("survivor_max_per_s", round(r.survivorMaxPerS()));
        json.put("mean_per_backend_per_s", round(r.meanPerBackendPerS()));
        json.put("survivor_max_over_mean", round(r.survivorRatio()));
        List<Object> seconds = new ArrayList<>();
        for (HerdSecond row : r.seconds()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("t_s", round(row.endS()));
            s.put("length_s", round(row.lengthS()));
            List<Object> sessions = new ArrayList<>();
            for (long n : row.sessions()) {
                sessions.add(n);
            }
            s.put("sessions", sessions);
            s.put("client_sessions", row.ok());
            s.put("errors", row.errors());
            seconds.add(s);
        }
        json.put("seconds", seconds);
        return json;
    }

    private static double round(double d) {
        return Math.round(d * 1000) / 1000.0;
    }
}
