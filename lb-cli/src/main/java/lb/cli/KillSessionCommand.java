package lb.cli;

import java.util.List;
import java.util.concurrent.Callable;

import lb.protocol.ExitCode;
import lb.protocol.Reply;
import lb.protocol.Request;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Main thread only. {@code lb-cli kill-session}: resets open sessions (HAProxy's {@code shutdown session}). */
@Command(description = {"Resets open sessions at once, chosen by id (as sessions lists them), by client or by backend.",
    "Both sides get a reset; the access log says end=killed. Exits 6 when no open session matched."})
final class KillSessionCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    @Parameters(arity = "0..*", paramLabel = "ID", description = "Session ids, from lb-cli sessions.")
    List<Long> ids;

    @Option(names = "--client", paramLabel = "IP[:PORT]", description = "Every session from this client "
            + "(every port when none is given; IPv6 with a port as [addr]:port).")
    String client;

    @Option(names = "--backend", paramLabel = "POOL/BACKEND", description = "Every session on this backend.")
    String backend;

    @Override
    public Integer call() {
        int given = (ids != null && !ids.isEmpty() ? 1 : 0) + (client != null ? 1 : 0) + (backend != null ? 1 : 0);
        if (given != 1) {
            throw new ParameterException(root.spec.commandLine(), "give session ids, --client or --backend (one of them)");
        }
        Request.KillSession request = new Request.KillSession(ids != null && !ids.isEmpty() ? List.copyOf(ids) : null,
                client, backend);
        return root.request(request, Reply.KillSession.class,
                (r, out) -> out.println(r.killed() + " session(s) reset"), (p, out) -> { },
                r -> r.killed() == 0 ? ExitCode.NO_MATCH : ExitCode.OK);
    }
}
