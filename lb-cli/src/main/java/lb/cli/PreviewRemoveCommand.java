package lb.cli;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Main thread only. {@code lb-cli preview-remove POOL/BACKEND}: how many clients a removal would move. */
@Command(name = "preview-remove", description = "For hashing algorithms: the share of clients that removing the "
        + "backend would move to another one.")
final class PreviewRemoveCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    @Parameters(index = "0", paramLabel = "POOL/BACKEND")
    String target;

    @Override
    public Integer call() {
        return root.request(Map.of("cmd", "preview-remove", "target", target), (result, out) -> {
            Map<?, ?> r = (Map<?, ?>) result;
            if (!Boolean.TRUE.equals(r.get("deterministic"))) {
                out.println(r.get("target") + " (" + r.get("algorithm") + "): " + r.get("note"));
                return;
            }
            out.printf(Locale.ROOT, "%s (%s): %.2f%% of clients would move: %.2f%% on it, %.2f%% of the others%n", r.get("target"),
                    r.get("algorithm"), 100 * ((Number) r.get("share_moving")).doubleValue(),
                    100 * ((Number) r.get("share_on_backend")).doubleValue(),
                    100 * ((Number) r.get("share_of_others_moving")).doubleValue());
            if (r.containsKey("note")) {
                out.println(r.get("note"));
            }
        });
    }
}
