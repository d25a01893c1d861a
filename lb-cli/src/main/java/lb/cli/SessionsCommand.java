package lb.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Main thread only. {@code lb-cli sessions [POOL/BACKEND] [--limit N]}: open sessions, oldest first. */
@Command(name = "sessions", description = "Open sessions, oldest first: client, backend, age, bytes each way.")
final class SessionsCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "POOL/BACKEND", description = "Only this backend's.")
    String target;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N (default ${DEFAULT-VALUE}).")
    long limit;

    @Override
    public Integer call() {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("cmd", "sessions");
        if (target != null) {
            request.put("target", target);
        }
        request.put("limit", limit);
        return root.request(request, this::print);
    }

    private void print(Object resultObject, PrintWriter out) {
        Map<?, ?> result = (Map<?, ?>) resultObject;
        Table table = new Table("CLIENT", "LISTENER", "BACKEND", "AGE", "UP", "DOWN");
        List<?> sessions = (List<?>) result.get("sessions");
        for (Object o : sessions) {
            Map<?, ?> s = (Map<?, ?>) o;
            table.row(s.get("client"), s.get("listener"), s.get("backend"), StatusCommand.duration((Long) s.get("age_ms")),
                    s.get("up"), s.get("down"));
        }
        out.print(table);
        out.println(sessions.size() + " of " + result.get("matched") + " session(s)");
    }
}
