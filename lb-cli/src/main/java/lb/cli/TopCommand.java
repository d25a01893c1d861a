package lb.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Main thread only (plus, on a terminal, one daemon thread watching stdin for "q"). {@code lb-cli
 * top}: per backend, state, health, active sessions and new sessions per second, refreshed every
 * interval; full-screen on a terminal, plain repeated tables otherwise (pipes, logs, tests).
 */
@Command(name = "top", description = {"Live per-backend view: state, health, active sessions, new sessions/s.",
    "Refreshes every second; q + Enter or Ctrl-C quits. Without a terminal it prints a table per refresh."})
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
        if (terminal) {
            Thread keys = new Thread(this::watchForQuit, "lb-cli-keys");
            keys.setDaemon(true);
            keys.start();
        }
        Map<String, Long> lastTotals = new HashMap<>();
        long lastNs = System.nanoTime();
        long periodMs = Math.max(100, (long) (intervalSeconds * 1000));
        for (int i = 0; !quit && (count == 0 || i < count); i++) {
            if (i > 0) {
                TimeUnit.MILLISECONDS.sleep(periodMs); // the refresh period is the point, not synchronisation
            }
            long nowNs = System.nanoTime();
            double seconds = Math.max(1e-3, (nowNs - lastNs) / 1e9);
            lastNs = nowNs;
            int code = root.request(Map.of("cmd", "status"), (result, out) -> print(result, out, lastTotals, seconds,
                    terminal));
            if (code != 0) {
                return code;
            }
        }
        return 0;
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

    @SuppressWarnings("unchecked")
    private static void print(Object resultObject, PrintWriter out, Map<String, Long> lastTotals, double seconds,
                              boolean terminal) {
        Map<String, Object> result = (Map<String, Object>) resultObject;
        if (terminal) {
            out.print(CLEAR);
        }
        Table table = new Table("POOL", "BACKEND", "STATE", "HEALTH", "ACTIVE", "NEW/S", "TOTAL");
        for (Object p : (List<Object>) result.get("pools")) {
            Map<String, Object> pool = (Map<String, Object>) p;
            for (Object b : (List<Object>) pool.get("backends")) {
                Map<String, Object> m = (Map<String, Object>) b;
                String key = pool.get("name") + "/" + m.get("name");
                long total = (Long) m.get("total_sessions");
                Long last = lastTotals.put(key, total);
                String rate = last == null ? "-" : String.format(Locale.ROOT, "%.1f", (total - last) / seconds);
                table.row(pool.get("name"), m.get("name"), m.get("admin_state"),
                        Boolean.TRUE.equals(m.get("ejected")) ? "ejected" : m.get("health"), m.get("active_sessions"),
                        rate, total);
            }
        }
        out.println("lb-daemon " + result.get("version") + ", up " + StatusCommand.duration((Long) result.get("uptime_ms")));
        out.print(table);
        out.flush();
    }
}
