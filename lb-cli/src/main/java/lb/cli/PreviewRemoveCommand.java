package lb.cli;

import java.util.Locale;
import java.util.concurrent.Callable;

import lb.protocol.Reply;
import lb.protocol.Request;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Main thread only. {@code lb-cli preview-remove POOL/BACKEND}: how many clients a removal would move. */
@Command(description = "For hashing algorithms: the share of clients that removing the "
        + "backend would move to another one.")
final class PreviewRemoveCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    @Parameters(index = "0", paramLabel = "POOL/BACKEND")
    String target;

    @Override
    public Integer call() {
        return root.request(new Request.PreviewRemove(target), Reply.PreviewRemove.class, (r, out) -> {
            if (!r.deterministic()) {
                out.println(r.target() + " (" + r.algorithm() + "): " + r.note());
                return;
            }
            out.printf(Locale.ROOT, "%s (%s): %.2f%% of clients would move: %.2f%% on it, %.2f%% of the others%n", r.target(),
                    r.algorithm(), 100 * r.shareMoving(), 100 * r.shareOnBackend(), 100 * r.shareOfOthersMoving());
            if (r.note() != null) {
                out.println(r.note());
            }
        });
    }
}
