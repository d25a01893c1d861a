package lb.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import lb.protocol.ExitCode;
import lb.protocol.Reply;
import lb.protocol.Request;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Main thread only (plus, on a terminal, one daemon thread watching stdin for "q"). {@code lb-cli
 * top}: per backend, state, health, active sessions, new sessions and bytes each way per second,
 * refreshed every interval; full-screen on a terminal, plain repeated tables otherwise (pipes, logs,
 * tests). Rates are differences between two refreshes of the daemon's counters.
 */
@Command(name = "top", description = {"Live per-backend view: state, health, active sessions, new sessions/s, "
        + "bytes/s up (client to backend) and down, recent latency.",
    "CONNECT P99 10S: over the connects of the last 10 s; DURATION P50 60S: over the sessions that ended in the last "
        + "60 s.",
    "Refreshes every second; q or Ctrl-C quits. Without a terminal it prints a table per refresh."})
final class TopCommand implements Callable<Integer> {

    private static final String CLEAR = "\u001b[H\u001b[2J";

    @ParentCommand
    LbCli root;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1", description = "Refresh period.")
    double intervalSeconds;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0", description = "Stop after N refreshes (0 = never).")
    int count;

    private volatile boolean quit;

    @Override
    public Integer call() throws InterruptedException {
        boolean terminal = System.console() != null;
        String savedTerminal = terminal ? stty("-g") : null;
        if (terminal) {
            // Keys one at a time without echo, so "q" quits without Enter; restored on the way out.
            stty("-icanon -echo min 1");
            Thread keys = new Thread(this::watchForQuit, "lb-cli-keys");
            keys.setDaemon(true);
            keys.start();
        }
        try {
            return refresh(terminal);
        } finally {
            if (savedTerminal != null) {
                stty(savedTerminal.trim());
            }
        }
    }

    /** Runs {@code stty ARGS} on the controlling terminal; its output, or null when that is not possible. */
    private static String stty(String args) {
        try {
            Process p = new ProcessBuilder("sh", "-c", "stty " + args + " < /dev/tty").redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? output : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private int refresh(boolean terminal) throws InterruptedException {
        Map<String, long[]> lastTotals = new HashMap<>();
        long lastNs = System.nanoTime();
        long periodMs = Math.max(100, (long) (intervalSeconds * 1000));
        for (int i = 0; !quit && (count == 0 || i < count); i++) {
            if (i > 0) {
                TimeUnit.MILLISECONDS.sleep(periodMs); // the refresh period is the point, not synchronisation
            }
            long nowNs = System.nanoTime();
            double seconds = Math.max(1e-3, (nowNs - lastNs) / 1e9);
            lastNs = nowNs;
            int code = root.request(new Request.Stats(), Reply.Stats.class,
                    (result, out) -> print(result, out, lastTotals, seconds, terminal));
            if (code != ExitCode.OK) {
                return code;
            }
        }
        return ExitCode.OK;
    }

    private void watchForQuit() {
        try {
            int c;
            while ((c = System.in.read()) >= 0) {
                if (c == 'q' || c == 'Q') {
                    quit = true;
                    return;
                }
            }
        } catch (IOException e) {
            // no input: Ctrl-C still works
        }
    }

    /** A recent window's quantile in ms ("-" when none ended in it, or from a daemon without windows). */
    private static String window(Object latency, String window, String key) {
        if (latency instanceof Map<?, ?> l && l.get(window) instanceof Map<?, ?> w) {
            return StatsCommand.quantile(w, key);
        }
        return "-";
    }

    /** From {@link Reply.Stats#figures()}, the nested objects of docs/metrics.md. */
    @SuppressWarnings("unchecked")
    private static void print(Reply.Stats stats, PrintWriter out, Map<String, long[]> lastTotals, double seconds,
                              boolean terminal) {
        Map<String, Object> result = stats.figures();
        if (terminal) {
            out.print(CLEAR);
        }
        Table table = new Table("POOL", "BACKEND", "STATE", "HEALTH", "ACTIVE", "NEW/S", "UP/S", "DOWN/S", "TOTAL",
                "CONNECT P99 10S", "DURATION P50 60S");
        for (Object p : (List<Object>) result.get("pools")) {
            Map<String, Object> pool = (Map<String, Object>) p;
            for (Object b : (List<Object>) pool.get("backends")) {
                Map<String, Object> m = (Map<String, Object>) b;
                String key = pool.get("name") + "/" + m.get("name");
                long[] now = {(Long) m.get("sessions_total"), (Long) m.get("bytes_up"), (Long) m.get("bytes_down")};
                long[] last = lastTotals.put(key, now);
                table.row(pool.get("name"), m.get("name"), m.get("admin_state"),
                        Boolean.TRUE.equals(m.get("ejected")) ? "ejected" : m.get("health"), m.get("active_sessions"),
                        last == null ? "-" : String.format(Locale.ROOT, "%.1f", (now[0] - last[0]) / seconds),
                        last == null ? "-" : StatsCommand.bytes((now[1] - last[1]) / seconds) + "/s",
                        last == null ? "-" : StatsCommand.bytes((now[2] - last[2]) / seconds) + "/s", now[0],
                        window(m.get("connect"), "last_10s", "p99_ms"), window(m.get("duration"), "last_60s", "p50_ms"));
            }
        }
        out.println("lb-daemon " + stats.version() + ", up " + StatusCommand.duration(stats.uptimeMs()));
        out.print(table);
        out.flush();
    }
}
