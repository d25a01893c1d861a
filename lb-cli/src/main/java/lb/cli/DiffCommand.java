package lb.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** Main thread only. {@code lb-cli diff}: how the live state differs from the config file. */
@Command(name = "diff", description = {"What differs between the config file and the live state: runtime changes "
        + "(journaled in the state file) and edits of the file not reloaded yet."})
final class DiffCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    @Override
    public Integer call() {
        return root.request(Map.of("cmd", "diff"), DiffCommand::print);
    }

    private static void print(Object resultObject, PrintWriter out) {
        Map<?, ?> r = (Map<?, ?>) resultObject;
        List<?> runtime = (List<?>) r.get("runtime");
        out.println("Runtime changes (over " + r.get("config") + "):");
        if (runtime.isEmpty()) {
            out.println("  none");
        } else {
            Table table = new Table("TARGET", "KEY", "LIVE", "CONFIG");
            for (Object entry : runtime) {
                Map<?, ?> e = (Map<?, ?>) entry;
                Object live = "added".equals(e.get("key")) ? e.get("value") + " weight " + e.get("weight") : e.get("value");
                table.row(e.get("target"), e.get("key"), text(live), text(e.get("config")));
            }
            out.print(table.toString().indent(2));
        }
        out.println("File edits not reloaded yet:");
        if (r.containsKey("file_error")) {
            out.println("  a reload would be refused: " + r.get("file_error"));
            return;
        }
        List<?> file = (List<?>) r.get("file");
        if (file.isEmpty()) {
            out.println("  none");
        }
        for (Object line : file) {
            out.println("  " + line);
        }
    }

    private static String text(Object value) {
        return value == null ? "-" : String.valueOf(value);
    }
}
