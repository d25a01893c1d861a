package lb.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.ToIntFunction;

import lb.protocol.Command;
import lb.protocol.Envelope;
import lb.protocol.ExitCode;
import lb.protocol.OperatorNumbers;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.protocol.Version;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Main thread only. The {@code lb-cli} root command: global options, and the one way every
 * subcommand sends its request and reports the outcome (exit codes: {@link ExitCode}).
 */
@CommandLine.Command(name = "lb-cli", mixinStandardHelpOptions = true, versionProvider = LbCli.VersionProvider.class,
        usageHelpAutoWidth = true, modelTransformer = LbCli.Subcommands.class,
        description = {"Operator CLI for lb-daemon: talks to its admin Unix socket."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {ExitCode.OK_LINE, ExitCode.REFUSED + ":refused by the daemon; for diff: the live state differs from the file",
            ExitCode.USAGE_LINE, ExitCode.UNREACHABLE_LINE,
            ExitCode.SESSIONS_LEFT_LINE, ExitCode.NOT_SAVED_LINE, ExitCode.NO_MATCH_LINE})
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

    /** A command that waits on the daemon for a known time (upgrade) asks for at least that long. */
    void minimumTimeoutSeconds(long seconds) {
        timeoutSeconds = (int) Math.max(timeoutSeconds, Math.min(seconds, Integer.MAX_VALUE));
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** lb-cli's parser, numbers read with messages in operator words. */
    static CommandLine commandLine() {
        return withOperatorNumbers(new CommandLine(new LbCli()));
    }

    /** {@code cli} reading int, long and double options and parameters with {@link OperatorNumbers}' messages. */
    private static CommandLine withOperatorNumbers(CommandLine cli) {
        CommandLine.ITypeConverter<Integer> wholeInt = text -> converted(() -> OperatorNumbers.wholeInt(text));
        CommandLine.ITypeConverter<Long> wholeLong = text -> converted(() -> OperatorNumbers.wholeLong(text));
        CommandLine.ITypeConverter<Double> number = text -> converted(() -> OperatorNumbers.number(text));
        return cli.registerConverter(Integer.class, wholeInt).registerConverter(int.class, wholeInt)
                .registerConverter(Long.class, wholeLong).registerConverter(long.class, wholeLong)
                .registerConverter(Double.class, number).registerConverter(double.class, number);
    }

    private static <T> T converted(java.util.function.Supplier<T> reading) {
        try {
            return reading.get();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    /**
     * Sends {@code request}; prints its reply, a {@code replyType}, with {@code printer} (with --json:
     * the daemon's reply line as received).
     *
     * @return the exit code: {@link ExitCode#OK}, {@link ExitCode#REFUSED} or {@link ExitCode#UNREACHABLE}
     */
    <R extends Reply> int request(Request request, Class<R> replyType, BiConsumer<R, PrintWriter> printer) {
        return request(request, replyType, printer, (progress, out) -> { });
    }

    /** As {@link #request(Request, Class, BiConsumer)}, printing each progress line on the way. */
    <R extends Reply> int request(Request request, Class<R> replyType, BiConsumer<R, PrintWriter> printer,
                                  BiConsumer<Reply.Progress, PrintWriter> progressPrinter) {
        return request(request, replyType, printer, progressPrinter, reply -> ExitCode.OK);
    }

    /**
     * As above; a reply the daemon gave is worth the exit code {@code outcome} gives it (with --json
     * too), e.g. {@link ExitCode#SESSIONS_LEFT} for a drain that timed out.
     */
    <R extends Reply> int request(Request request, Class<R> replyType, BiConsumer<R, PrintWriter> printer,
                                  BiConsumer<Reply.Progress, PrintWriter> progressPrinter, ToIntFunction<R> outcome) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Envelope reply;
        try {
            reply = new AdminClient(socketPath(), Duration.ofSeconds(Math.max(1, timeoutSeconds))).call(request,
                    line -> {
                        if (json) {
                            out.println(line);
                            out.flush();
                        }
                    },
                    progress -> {
                        if (!json) {
                            progressPrinter.accept(progress, out);
                            out.flush();
                        }
                    });
        } catch (AdminClient.UnreachableException e) {
            err.println("lb-cli: " + e.getMessage());
            return ExitCode.UNREACHABLE;
        }
        if (!reply.ok()) {
            err.println("lb-cli: the daemon refused: " + reply.error());
            return ExitCode.REFUSED;
        }
        R result;
        try {
            result = replyType.cast(reply.reply(request.command()));
        } catch (IllegalArgumentException e) {
            // A reply of another shape (a daemon of another version): as unreadable as a broken line.
            err.println("lb-cli: cannot read lb-daemon's reply to " + request.command().wireName() + ": "
                    + e.getMessage());
            return ExitCode.UNREACHABLE;
        }
        if (!json) {
            printer.accept(result, out);
        }
        out.flush();
        return outcome.applyAsInt(result);
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

    /** Any thread. lb-cli's version: lb-protocol's, which the build writes into it. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"lb-cli " + Version.text(), "Java " + Runtime.version()};
        }
    }

    /**
     * Any thread. The subcommands, in the order help lists them. One that sends one admin command
     * under its own name takes that name from {@link Command}, so it is written once; the others
     * (weight, add, remove, top, info, generate-completion, help, the hidden __complete) have names of their own in their
     * annotation.
     * A usage error exits with {@link ExitCode#USAGE} whichever command it is found on.
     */
    static final class Subcommands implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec root) {
            root.exitCodeOnInvalidInput(ExitCode.USAGE);
            add(root, Command.STATUS, new StatusCommand());
            add(root, Command.DRAIN, new BackendCommands.Drain());
            add(root, Command.UNDRAIN, new BackendCommands.Undrain());
            add(root, Command.DISABLE, new BackendCommands.Disable());
            add(root, Command.ENABLE, new BackendCommands.Enable());
            add(root, null, new BackendCommands.Weight());
            add(root, null, new BackendCommands.Add());
            add(root, null, new BackendCommands.Remove());
            add(root, Command.SESSIONS, new SessionsCommand());
            add(root, Command.KILL_SESSION, new KillSessionCommand());
            add(root, Command.SOURCES, new SourcesCommand());
            add(root, Command.STATS, new StatsCommand());
            add(root, null, new TopCommand());
            add(root, null, new InfoCommand());
            add(root, Command.EXPLAIN, new ExplainCommand());
            add(root, Command.PREVIEW_REMOVE, new PreviewRemoveCommand());
            add(root, Command.RELOAD, new ReloadCommand());
            add(root, Command.UPGRADE, new UpgradeCommand());
            add(root, Command.DIFF, new DiffCommand());
            add(root, Command.VERSION, new VersionCommand());
            add(root, null, new AutoComplete.GenerateCompletion());
            add(root, null, new CompleteCommand());
            add(root, null, new CommandLine.HelpCommand());
            return root;
        }

        /** {@code command}: the admin command whose name it takes; null: the name in its annotation. */
        private static void add(CommandSpec root, Command command, Object subcommand) {
            CommandSpec spec = CommandSpec.forAnnotatedObject(subcommand).exitCodeOnInvalidInput(ExitCode.USAGE);
            if (!(subcommand instanceof CommandLine.HelpCommand) && spec.optionsMap().get("--help") == null) {
                spec.mixinStandardHelpOptions(true); // so that 'lb-cli top --help' is top's help
            }
            root.addSubcommand(command == null ? spec.name() : command.wireName(), spec);
        }
    }
}
