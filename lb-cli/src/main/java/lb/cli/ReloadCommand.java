package lb.cli;

import java.util.concurrent.Callable;

import lb.protocol.Reply;
import lb.protocol.Request;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** Main thread only. {@code lb-cli reload}: the daemon re-reads its config file and applies what changed. */
@Command(description = {"Re-read the daemon's config file and apply what changed: listeners, "
        + "pools, backends, weights, algorithms, health settings.",
    "A file that fails validation, or a change that needs a restart, changes nothing (exit code 1). Runtime "
        + "changes stay unless the file changed the same key (the reply says so)."})
final class ReloadCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    @Override
    public Integer call() {
        return root.request(new Request.Reload(), Reply.Reload.class, (result, out) -> {
            if (result.changes().isEmpty()) {
                out.println("reloaded: no change");
            }
            for (String change : result.changes()) {
                out.println(change);
            }
        });
    }
}
