package lb.cli;

import java.util.concurrent.Callable;

import lb.protocol.Reply;
import lb.protocol.Request;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** Main thread only. {@code lb-cli version}: the running daemon's version (not lb-cli's: that is {@code --version}). */
@Command(description = "The running daemon's version.")
final class VersionCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    @Override
    public Integer call() {
        return root.request(new Request.Version(), Reply.Version.class, (result, out) -> out.println(result.version()));
    }
}
