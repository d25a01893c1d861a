package lb.cli;

import java.util.concurrent.Callable;

import lb.protocol.Reply;
import lb.protocol.Request;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Main thread only. {@code lb-cli explain CLIENT_IP[:PORT] [LISTENER]}: which backend that client would get now, and why. */
@Command(description = "Which backend a new session from a client would get now, and why.")
final class ExplainCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    @Parameters(index = "0", paramLabel = "CLIENT_IP[:PORT]", description = "IPv6 with a port as [addr]:port.")
    String client;

    @Parameters(index = "1", arity = "0..1", paramLabel = "LISTENER", description = "Needed when there are several.")
    String listener;

    @Option(names = "--sni", paramLabel = "NAME", description = "On a listener with routes by TLS server name: a "
            + "client asking for NAME (without it: a client that names none). ALPN is taken as not offered.")
    String sni;

    @Override
    public Integer call() {
        return root.request(new Request.Explain(client, listener, sni), Reply.Explain.class, (r, out) -> {
            if (r.route() != null) {
                out.println("route: " + r.route());
            }
            if (r.pool() == null) {
                out.println(r.note());
                return;
            }
            out.println("listener " + r.listener() + " -> pool " + r.pool() + " (" + r.algorithm() + ")");
            if (r.tierNote() != null) {
                out.println("tier: " + (r.tier() != null ? r.tier() : "none") + " (" + r.tierNote() + ")");
            }
            if (r.deterministic()) {
                out.println("backend: " + (r.backend() == null ? "none (no eligible backend)" : r.backend()));
                out.println("hash of " + r.hashKey() + ": " + r.hash()
                        + (r.tableSlot() != null ? ", Maglev table slot " + r.tableSlot() : "")
                        + "; hash_fallback " + r.hashFallback());
            } else {
                out.println(r.note());
            }
            out.println("ineligible: " + (r.ineligible().isEmpty() ? "none" : String.join(", ", r.ineligible())));
        });
    }
}
