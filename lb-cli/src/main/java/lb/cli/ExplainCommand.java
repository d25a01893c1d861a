package lb.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Main thread only. {@code lb-cli explain CLIENT_IP[:PORT] [LISTENER]}: which backend that client would get now, and why. */
@Command(name = "explain", description = "Which backend a new session from a client would get now, and why.")
final class ExplainCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    @Parameters(index = "0", paramLabel = "CLIENT_IP[:PORT]", description = "IPv6 with a port as [addr]:port.")
    String client;

    @Parameters(index = "1", arity = "0..1", paramLabel = "LISTENER", description = "Needed when there are several.")
    String listener;

    @Override
    public Integer call() {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("cmd", "explain");
        request.put("client", client);
        if (listener != null) {
            request.put("listener", listener);
        }
        return root.request(request, (result, out) -> {
            Map<?, ?> r = (Map<?, ?>) result;
            out.println("listener " + r.get("listener") + " -> pool " + r.get("pool") + " (" + r.get("algorithm") + ")");
            if (Boolean.TRUE.equals(r.get("deterministic"))) {
                out.println("backend: " + (r.get("backend") == null ? "none (no eligible backend)" : r.get("backend")));
                out.println("hash of " + r.get("hash_key") + ": " + r.get("hash")
                        + (r.containsKey("table_slot") ? ", Maglev table slot " + r.get("table_slot") : "")
                        + "; hash_fallback " + r.get("hash_fallback"));
            } else {
                out.println(r.get("note"));
            }
            List<?> skipped = (List<?>) r.get("ineligible");
            out.println("ineligible: " + (skipped.isEmpty() ? "none" : String.join(", ",
                    skipped.stream().map(String::valueOf).toList())));
        });
    }
}
