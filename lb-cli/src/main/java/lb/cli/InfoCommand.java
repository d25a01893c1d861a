package lb.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import lb.protocol.Reply;
import lb.protocol.Request;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * Main thread only. {@code lb-cli info}: the daemon process's own figures (HAProxy's {@code show
 * info}), from the {@code stats} report's {@code process} object, so it works with stats off too.
 */
@Command(name = "info", description = {"The daemon process: version, pid, uptime, descriptors, memory, threads, "
        + "garbage collection, buffer pools and sessions."})
final class InfoCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    @Override
    public Integer call() {
        return root.request(new Request.Stats(), Reply.Stats.class, InfoCommand::print);
    }

    private static void print(Reply.Stats stats, PrintWriter out) {
        Map<?, ?> p = (Map<?, ?>) stats.figures().get("process");
        Table t = new Table("FIGURE", "VALUE");
        t.row("version", stats.version());
        t.row("java", p.get("java"));
        t.row("pid", p.get("pid"));
        t.row("uptime", StatusCommand.duration(stats.uptimeMs()));
        Number start = (Number) p.get("start_time_s");
        t.row("started", start == null ? "-" : Instant.ofEpochMilli((long) (start.doubleValue() * 1000)));
        t.row("descriptors", p.get("open_fds") + " open of " + p.get("max_fds")
                + percent((Number) p.get("open_fds"), (Number) p.get("max_fds")));
        t.row("heap", StatsCommand.bytes((Number) p.get("heap_used_bytes")) + " used of "
                + StatsCommand.bytes((Number) p.get("heap_max_bytes")));
        t.row("direct memory", StatsCommand.bytes((Number) p.get("direct_used_bytes")) + " used of "
                + StatsCommand.bytes((Number) p.get("direct_max_bytes")));
        t.row("threads", p.get("threads"));
        t.row("gc", p.get("gc_collections") + " collections, " + p.get("gc_seconds") + " s");
        for (Object o : (List<?>) p.get("loops")) {
            Map<?, ?> loop = (Map<?, ?>) o;
            t.row("loop " + loop.get("loop") + " buffers", StatsCommand.bytes((Number) loop.get("buffer_pool_used_bytes"))
                    + " lent of " + StatsCommand.bytes((Number) loop.get("buffer_pool_max_bytes")) + ", "
                    + loop.get("buffer_pool_evictions") + " evictions");
        }
        long active = 0;
        long total = 0;
        for (Object o : (List<?>) stats.figures().get("listeners")) {
            Map<?, ?> l = (Map<?, ?>) o;
            active += ((Number) l.get("active_sessions")).longValue();
            total += ((Number) l.get("sessions_total")).longValue();
        }
        t.row("sessions", active + " active, " + total + " since start");
        out.print(t);
    }

    private static String percent(Number part, Number whole) {
        if (part == null || whole == null || whole.longValue() <= 0) {
            return "";
        }
        return String.format(java.util.Locale.ROOT, " (%.1f%%)", 100.0 * part.longValue() / whole.longValue());
    }
}
