package lb.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

import lb.protocol.Reply;
import lb.protocol.Request;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Main thread only. {@code lb-cli sources [--listener NAME] [--limit N]}: the busiest client sources. */
@Command(description = "The client sources with the most open connections, then the highest connection rate, as the "
        + "listeners' per-source limits count them (listeners without one have nothing to list).")
final class SourcesCommand implements Callable<Integer> {

    @picocli.CommandLine.ParentCommand
    LbCli root;

    @Option(names = "--listener", paramLabel = "NAME", description = "Only this listener's.")
    String listener;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most N (default ${DEFAULT-VALUE}).")
    long limit;

    @Override
    public Integer call() {
        return root.request(new Request.Sources(listener, limit), Reply.Sources.class, SourcesCommand::print);
    }

    private static void print(Reply.Sources result, PrintWriter out) {
        Table table = new Table("LISTENER", "SOURCE", "CONNECTIONS", "NEW/S");
        for (Reply.SourceEntry s : result.sources()) {
            table.row(s.listener(), s.source(), s.connections(), String.format(Locale.ROOT, "%.1f", s.ratePerS()));
        }
        out.print(table);
        result.tracked().forEach((name, n) -> out.println(name + ": " + n + " source(s) tracked"));
        for (String name : result.untracked()) {
            out.println(name + ": no per-source limit, sources not tracked");
        }
    }
}
