package lb.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** Main thread only. {@code lb-cli status}: listeners, pools and each backend's state and sessions. */
@Command(name = "status", description = "Listeners, pools and backends: weight, state, health, sessions.")
final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    @Override
    public Integer call() {
        return root.request(Map.of("cmd", "status"), this::print);
    }

    @SuppressWarnings("unchecked")
    private void print(Object resultObject, PrintWriter out) {
        Map<String, Object> result = (Map<String, Object>) resultObject;
        out.println("lb-daemon " + result.get("version") + ", up " + duration((Long) result.get("uptime_ms")));
        out.println();
        Table listeners = new Table("LISTENER", "BIND", "POOL", "ACTIVE");
        for (Object o : (List<Object>) result.get("listeners")) {
            Map<String, Object> l = (Map<String, Object>) o;
            listeners.row(l.get("name"), l.get("bind"), l.get("pool"), l.get("active_sessions"));
        }
        out.print(listeners);
        for (Object o : (List<Object>) result.get("pools")) {
            Map<String, Object> p = (Map<String, Object>) o;
            out.println();
            out.println("pool " + p.get("name") + " (" + p.get("algorithm") + ")"
                    + (Boolean.TRUE.equals(p.get("panic")) ? "  PANIC: picking among all backends" : ""));
            Table backends = new Table("BACKEND", "ADDRESS", "WEIGHT", "EFFECTIVE", "ADMIN", "HEALTH", "EJECTED",
                    "ACTIVE", "TOTAL");
            for (Object b : (List<Object>) p.get("backends")) {
                Map<String, Object> m = (Map<String, Object>) b;
                backends.row(m.get("name"), m.get("address"), m.get("weight"), m.get("effective_weight"),
                        m.get("admin_state"), m.get("health"), Boolean.TRUE.equals(m.get("ejected")) ? "yes" : "no",
                        m.get("active_sessions"), m.get("total_sessions"));
            }
            out.print(backends);
        }
    }

    static String duration(long ms) {
        long s = ms / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + s % 60 + "s";
        }
        if (s < 86_400) {
            return s / 3600 + "h" + s % 3600 / 60 + "m";
        }
        return s / 86_400 + "d" + s % 86_400 / 3600 + "h";
    }
}
