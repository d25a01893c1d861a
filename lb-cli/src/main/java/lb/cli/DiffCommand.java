package lb.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

import lb.protocol.ExitCode;
import lb.protocol.RecordJson;
import lb.protocol.Reply;
import lb.protocol.Request;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** Main thread only. {@code lb-cli diff}: how the live state differs from the config file. */
@Command(description = {"What differs between the config file and the live state: runtime changes "
        + "(journaled in the state file) and edits of the file not reloaded yet."})
final class DiffCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    /**
     * One entry of {@link Reply.Diff#runtime()}, which the protocol keeps as JSON objects (the
     * daemon's journal entries): {@code weight} only for an added backend; {@code value} and
     * {@code config} are a weight, a state, an address or null.
     */
    record RuntimeChange(String target, String key, Object value, Object config, Long weight) {
    }

    @Override
    public Integer call() {
        return root.request(new Request.Diff(), Reply.Diff.class, DiffCommand::print, (p, out) -> { },
                DiffCommand::outcome);
    }

    /** As diff(1): 1 when anything differs, including a file a reload would refuse. */
    private static int outcome(Reply.Diff r) {
        return r.runtime().isEmpty() && r.file().isEmpty() && r.fileError() == null ? ExitCode.OK : ExitCode.DIFFERENT;
    }

    private static void print(Reply.Diff r, PrintWriter out) {
        out.println("Runtime changes (over " + r.config() + "):");
        if (r.runtime().isEmpty()) {
            out.println("  none");
        } else {
            Table table = new Table("TARGET", "KEY", "LIVE", "CONFIG");
            for (Map<String, Object> entry : r.runtime()) {
                RuntimeChange e = RecordJson.fromJson(RuntimeChange.class, entry);
                Object live = "added".equals(e.key()) ? e.value() + " weight " + e.weight() : e.value();
                table.row(e.target(), e.key(), text(live), text(e.config()));
            }
            out.print(table.toString().indent(2));
        }
        out.println("File edits not reloaded yet:");
        if (r.fileError() != null) {
            out.println("  a reload would be refused: " + r.fileError());
            return;
        }
        if (r.file().isEmpty()) {
            out.println("  none");
        }
        for (String line : r.file()) {
            out.println("  " + line);
        }
    }

    private static String text(Object value) {
        return value == null ? "-" : String.valueOf(value);
    }
}
