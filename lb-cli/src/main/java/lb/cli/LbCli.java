package lb.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiConsumer;

import lb.protocol.Json;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Main thread only. The {@code lb-cli} root command: global options, and the one way every
 * subcommand sends its request and reports the outcome (exit codes below).
 */
@Command(name = "lb-cli", mixinStandardHelpOptions = true, versionProvider = LbCli.VersionProvider.class,
        usageHelpAutoWidth = true, subcommands = {StatusCommand.class, BackendCommands.Drain.class, BackendCommands.Undrain.class,
            BackendCommands.Disable.class, BackendCommands.Enable.class, BackendCommands.Weight.class,
            BackendCommands.Add.class, BackendCommands.Remove.class,
            SessionsCommand.class, StatsCommand.class, TopCommand.class, ExplainCommand.class, PreviewRemoveCommand.class, ReloadCommand.class, DiffCommand.class, VersionCommand.class, picocli.AutoComplete.GenerateCompletion.class},
        description = {"Operator CLI for lb-daemon: talks to its admin Unix socket."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:refused by the daemon", "2:usage error", "3:cannot reach the daemon"})
public final class LbCli implements Runnable {

    static final String DEFAULT_SOCKET = "/run/lb/admin.sock";

    @Spec
    CommandSpec spec;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "Admin socket of the daemon (default: $LB_ADMIN_SOCKET, else " + DEFAULT_SOCKET + ").")
    Path socket;

    @Option(names = "--json", description = "Print the daemon's JSON reply as it is, for scripts.")
    boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long to wait for the daemon's reply (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LbCli()).execute(args));
    }

    /**
     * Sends {@code request}; prints the result with {@code printer} (or as JSON with --json).
     *
     * @return the exit code: 0 done, 1 refused by the daemon, 3 daemon not reachable
     */
    int request(Map<String, Object> request, BiConsumer<Object, PrintWriter> printer) {
        return request(request, printer, (progress, out) -> { });
    }

    /** As {@link #request(Map, BiConsumer)}, printing each progress line on the way. */
    int request(Map<String, Object> request, BiConsumer<Object, PrintWriter> printer,
                BiConsumer<Object, PrintWriter> progressPrinter) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> reply;
        try {
            reply = new AdminClient(socketPath(), Duration.ofSeconds(Math.max(1, timeoutSeconds))).call(request,
                    line -> {
                        if (json) {
                            out.println(Json.write(line));
                        } else {
                            progressPrinter.accept(line.get("progress"), out);
                        }
                        out.flush();
                    });
        } catch (AdminClient.UnreachableException e) {
            err.println("lb-cli: " + e.getMessage());
            return 3;
        }
        if (json) {
            out.println(Json.write(reply));
        } else if (Boolean.TRUE.equals(reply.get("ok"))) {
            printer.accept(reply.get("result"), out);
        }
        if (!Boolean.TRUE.equals(reply.get("ok"))) {
            err.println("lb-cli: the daemon refused: " + reply.get("error"));
            return 1;
        }
        out.flush();
        return 0;
    }

    Path socketPath() {
        if (socket != null) {
            return socket;
        }
        String env = System.getenv("LB_ADMIN_SOCKET");
        return Path.of(env != null && !env.isEmpty() ? env : DEFAULT_SOCKET);
    }

    /** No subcommand given: show what there is rather than fail silently. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Any thread. The version Maven wrote into the jar; "dev" when run from a build tree. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        // maven-jar-plugin adds this descriptor to every jar and the shade plugin keeps it, so the
        // version needs no resource filtering.
        private static final String POM_PROPERTIES = "/META-INF/maven/lb/lb-cli/pom.properties";

        @Override
        public String[] getVersion() {
            return new String[] {"lb-cli " + version(), "Java " + Runtime.version()};
        }

        private static String version() {
            try (InputStream in = LbCli.class.getResourceAsStream(POM_PROPERTIES)) {
                if (in == null) {
                    return "dev";
                }
                Properties properties = new Properties();
                properties.load(in);
                return properties.getProperty("version", "dev");
            } catch (IOException e) {
                return "dev";
            }
        }
    }
}
