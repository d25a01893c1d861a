package lb.bench.compare;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import lb.bench.load.LoadCommand;
import lb.protocol.Json;
import picocli.CommandLine;

/**
 * Main thread only. One {@code bench load} run, through the load command itself with
 * {@code --json}, so compare measures exactly what {@code bench load} measures and reads the
 * figures by the keys docs/benchmarks.md documents.
 */
final class LoadInvocation {

    private LoadInvocation() {
    }

    /** The load's outcome: its JSON summary, or why there is none. */
    record Outcome(Map<String, Object> summary, String failure) {
    }

    /** @param extra mode options, e.g. {@code -c 50} */
    @SuppressWarnings("unchecked")
    static Outcome run(InetSocketAddress target, String mode, String duration, String warmup, List<String> extra) {
        List<String> args = new ArrayList<>(List.of("--target", "127.0.0.1:" + target.getPort(), "--mode", mode,
                "--duration", duration, "--warmup", warmup, "--json"));
        args.addAll(extra);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter(); // progress lines; shown only when the load fails
        CommandLine cli = new CommandLine(new LoadCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args.toArray(new String[0]));
        String text = out.toString().trim();
        if (exit != 0 || text.isEmpty()) {
            String[] lines = err.toString().trim().split("\n");
            return new Outcome(null, "bench load " + String.join(" ", args) + " exited " + exit + ": "
                    + lines[lines.length - 1]);
        }
        return new Outcome((Map<String, Object>) Json.parse(text), null);
    }
}
