package lb.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Main thread only. The commands that change one backend's admin state or weight. */
final class BackendCommands {

    private BackendCommands() {
    }

    /** Shared by the commands below: one request about {@code pool/backend}, one line printed. */
    abstract static class OnBackend implements Callable<Integer> {

        @ParentCommand
        LbCli root;

        @Parameters(index = "0", paramLabel = "POOL/BACKEND", description = "The backend, as pool/backend.")
        String target;

        abstract String cmd();

        void addArguments(Map<String, Object> request) {
        }

        @Override
        public Integer call() {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("cmd", cmd());
            request.put("target", target);
            addArguments(request);
            return root.request(request, BackendCommands::print);
        }
    }

    static void print(Object resultObject, PrintWriter out) {
        Map<?, ?> r = (Map<?, ?>) resultObject;
        out.println(r.get("target") + ": " + r.get("admin_state") + ", weight " + r.get("weight") + ", "
                + r.get("active_sessions") + " active session(s)"
                + (r.containsKey("sessions_closed") ? ", " + r.get("sessions_closed") + " closed" : ""));
    }

    @Command(name = "drain", description = "No new sessions for the backend; open ones continue.")
    static final class Drain extends OnBackend {
        @Override
        String cmd() {
            return "drain";
        }
    }

    @Command(name = "undrain", description = "Back in rotation after a drain.")
    static final class Undrain extends OnBackend {
        @Override
        String cmd() {
            return "undrain";
        }
    }

    @Command(name = "disable", description = "No new sessions, and close (reset) the open ones.")
    static final class Disable extends OnBackend {
        @Override
        String cmd() {
            return "disable";
        }
    }

    @Command(name = "enable", description = "Back in rotation after disable.")
    static final class Enable extends OnBackend {
        @Override
        String cmd() {
            return "enable";
        }
    }

    @Command(name = "weight", description = "Set the backend's weight (0..1000; 0 = no new sessions), from the next pick.")
    static final class Weight extends OnBackend {

        @Parameters(index = "1", paramLabel = "WEIGHT", description = "0..1000")
        long weight;

        @Override
        String cmd() {
            return "set-weight";
        }

        @Override
        void addArguments(Map<String, Object> request) {
            request.put("weight", weight);
        }
    }
}
