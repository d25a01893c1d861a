package lb.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

import lb.protocol.ExitCode;
import lb.protocol.Reply;
import lb.protocol.Request;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * Main thread only. The commands that change one backend's admin state or weight. Those named as
 * their admin command get the name from {@link LbCli.Subcommands}.
 */
final class BackendCommands {

    private BackendCommands() {
    }

    /**
     * Shared by the commands below: one request about {@code pool/backend}; progress lines (for
     * commands that wait) and the final state, one line each.
     */
    abstract static class OnBackend implements Callable<Integer> {

        @ParentCommand
        LbCli root;

        @Parameters(index = "0", paramLabel = "POOL/BACKEND", description = "The backend, as pool/backend.")
        String target;

        /** This command's request about {@link #target}, from its options. */
        abstract Request request();

        /** Option combinations picocli cannot check; throws a ParameterException (exit code 2). */
        void check() {
        }

        /** Whether progress lines name the age of the oldest session left. */
        boolean showsOldest() {
            return false;
        }

        void printResult(Reply.Backend result, PrintWriter out) {
            print(result, out);
        }

        /** The exit code of a reply the daemon gave. */
        int outcome(Reply.Backend result) {
            return notSaved(root, result, ExitCode.OK);
        }

        @Override
        public Integer call() {
            check();
            return root.request(request(), Reply.Backend.class, this::printResult, (p, out) ->
                    out.println(p.target() + ": " + p.activeSessions() + " active session(s), "
                            + (showsOldest() ? "oldest " + StatusCommand.duration(p.oldestAgeMs()) + ", " : "")
                            + "waited " + StatusCommand.duration(p.waitedMs())), this::outcome);
        }
    }

    /**
     * A change the daemon made but could not write to its state file: said on stderr (with --json
     * too), and {@link ExitCode#NOT_SAVED} unless {@code otherwise} says more.
     */
    static int notSaved(LbCli root, Reply.Backend result, int otherwise) {
        if (result.warning() == null) {
            return otherwise;
        }
        PrintWriter err = root.spec.commandLine().getErr();
        err.println("lb-cli: warning: " + result.warning());
        err.flush();
        return otherwise == ExitCode.OK ? ExitCode.NOT_SAVED : otherwise;
    }

    static void print(Reply.Backend r, PrintWriter out) {
        out.println(r.target() + ": " + r.adminState() + ", weight " + r.weight() + ", "
                + r.activeSessions() + " active session(s)"
                + (Boolean.TRUE.equals(r.drained()) ? ", drained" : "")
                + (Boolean.FALSE.equals(r.drained()) ? ", deadline reached (then " + r.then() + ")" : "")
                + (r.sessionsClosed() != null ? ", " + r.sessionsClosed() + " closed" : ""));
    }

    @Command(description = {"No new sessions for the backend; open ones continue.",
        "With --wait: returns once its sessions have ended (progress every second); with --deadline, "
            + "--then keep|close|remove decides what happens to those left at the deadline (remove also "
            + "applies when it drains in time)."})
    static final class Drain extends OnBackend {

        @Option(names = "--wait", description = "Return only when the backend has no session left.")
        boolean await;

        @Option(names = "--deadline", paramLabel = "DURATION", description = "With --wait: give up waiting after "
                + "this long (e.g. 30s, 5m).")
        String deadline;

        @Option(names = "--then", paramLabel = "keep|close|remove", description = "With --deadline: leave the "
                + "sessions left (keep, the default), reset them (close), or reset them and take the backend out "
                + "of its pool (remove).")
        String then;

        @Override
        Request request() {
            return new Request.Drain(target, await, deadline == null ? null : durationMs(deadline),
                    then == null ? null : then(then));
        }

        @Override
        void check() {
            if ((deadline != null || then != null) && !await) {
                throw new ParameterException(root.spec.commandLine(), "--deadline and --then need --wait");
            }
        }

        @Override
        boolean showsOldest() {
            return true;
        }

        /** Sessions were left at the deadline: a script must not take that for drained. */
        @Override
        int outcome(Reply.Backend result) {
            return notSaved(root, result, Boolean.FALSE.equals(result.drained()) ? ExitCode.SESSIONS_LEFT : ExitCode.OK);
        }

        @Override
        void printResult(Reply.Backend result, PrintWriter out) {
            print(result, out);
            if (Boolean.TRUE.equals(result.removed())) {
                out.println(result.target() + " removed");
            }
        }

        /** "250ms", "30s", "5m", "1h", or plain seconds. */
        private long durationMs(String text) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(text);
            if (!m.matches()) {
                throw new ParameterException(root.spec.commandLine(), "--deadline: \"" + text
                        + "\" is not a duration (e.g. 500ms, 30s, 5m, 1h)");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> n;
                case "s" -> n * 1000;
                case "m" -> n * 60_000;
                default -> n * 3_600_000;
            };
        }

        /** The protocol's {@link Request.Drain.Then}, spelt as on the wire (lower case). */
        private Request.Drain.Then then(String text) {
            for (Request.Drain.Then t : Request.Drain.Then.values()) {
                if (t.name().toLowerCase(Locale.ROOT).equals(text)) {
                    return t;
                }
            }
            throw new ParameterException(root.spec.commandLine(), "--then: \"" + text
                    + "\" is not keep, close or remove");
        }
    }

    @Command(description = "Back in rotation after a drain.")
    static final class Undrain extends OnBackend {
        @Override
        Request request() {
            return new Request.Undrain(target);
        }
    }

    @Command(description = "No new sessions, and close (reset) the open ones (after --grace).")
    static final class Disable extends OnBackend {

        @Option(names = "--grace", paramLabel = "SECONDS", defaultValue = "0",
                description = "Let open sessions end by themselves this long before resetting the rest.")
        double graceSeconds;

        @Override
        Request request() {
            return new Request.Disable(target, graceSeconds > 0 ? (long) (graceSeconds * 1000) : null);
        }
    }

    @Command(description = "Back in rotation after disable.")
    static final class Enable extends OnBackend {
        @Override
        Request request() {
            return new Request.Enable(target);
        }
    }

    @Command(name = "weight", description = "Set the backend's weight (0..1000; 0 = no new sessions), from the next pick.")
    static final class Weight extends OnBackend {

        @Parameters(index = "1", paramLabel = "WEIGHT", description = "0..1000")
        long weight;

        @Override
        Request request() {
            return new Request.SetWeight(target, weight);
        }
    }

    @Command(name = "add", description = "Add a backend to a pool (with active checks it waits for its first probe).")
    static final class Add implements Callable<Integer> {

        @ParentCommand
        LbCli root;

        @Parameters(index = "0", paramLabel = "POOL")
        String pool;

        @Parameters(index = "1", paramLabel = "HOST:PORT")
        String address;

        @Option(names = "--weight", paramLabel = "N", defaultValue = "1", description = "1..1000 (default ${DEFAULT-VALUE}).")
        long weight;

        @Option(names = "--name", paramLabel = "NAME", description = "Default: the address.")
        String name;

        @Override
        public Integer call() {
            return root.request(new Request.AddBackend(pool, address, weight, name), Reply.Backend.class,
                    BackendCommands::print, (p, out) -> { }, result -> notSaved(root, result, ExitCode.OK));
        }
    }

    @Command(name = "remove", description = {"Drain a backend and take it out of its pool when its sessions end.",
        "After --timeout the sessions left are reset and it is taken out anyway."})
    static final class Remove extends OnBackend {

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
                description = "Longest wait for its sessions (default ${DEFAULT-VALUE}).")
        long timeoutSeconds;

        @Override
        Request request() {
            return new Request.RemoveBackend(target, timeoutSeconds * 1000);
        }

        @Override
        void printResult(Reply.Backend result, PrintWriter out) {
            print(result, out);
            out.println(result.target() + " removed");
        }
    }
}
