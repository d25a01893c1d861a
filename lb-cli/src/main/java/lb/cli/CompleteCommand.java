package lb.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import lb.protocol.Envelope;
import lb.protocol.Reply;
import lb.protocol.Request;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * Main thread only. {@code lb-cli __complete -- WORD... CURRENT}: the candidates for the word being
 * typed, one per line, for the shell completion that {@code systemd/lb-cli.bash-completion} installs.
 * Subcommands and options come from the command model, so they cannot drift from the parser; pool,
 * backend and listener names come from the running daemon's status (as kubectl's completion asks
 * its API server). A daemon that cannot be reached within a second yields no names, and no error.
 */
@Command(name = "__complete", hidden = true, description = "Shell completion candidates (used by the installed completion).")
final class CompleteCommand implements Callable<Integer> {

    private static final Duration DAEMON_TIMEOUT = Duration.ofSeconds(1);

    @ParentCommand
    LbCli root;

    @Parameters(arity = "0..*", paramLabel = "WORD", description = "The words after lb-cli, the last one being typed.")
    List<String> words = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = root.spec.commandLine().getOut();
        for (String candidate : candidates()) {
            out.println(candidate);
        }
        out.flush();
        return 0;
    }

    private List<String> candidates() {
        String current = words.isEmpty() ? "" : words.get(words.size() - 1);
        List<String> before = words.isEmpty() ? List.of() : words.subList(0, words.size() - 1);
        CommandSpec rootSpec = root.spec;
        CommandSpec command = null;
        Path socket = null;
        int positionals = 0;
        OptionSpec pendingOption = null;
        for (String word : before) {
            if (pendingOption != null) {
                if (pendingOption.longestName().equals("--socket")) {
                    socket = Path.of(word);
                }
                pendingOption = null;
                continue;
            }
            CommandSpec scope = command == null ? rootSpec : command;
            if (word.startsWith("-")) {
                OptionSpec option = findOption(scope, word);
                if (option == null && command != null) {
                    option = findOption(rootSpec, word);
                }
                if (option != null && option.arity().min() > 0 && !word.contains("=")) {
                    pendingOption = option;
                }
                continue;
            }
            if (command == null) {
                CommandSpec sub = subcommand(rootSpec, word);
                if (sub == null) {
                    return List.of(); // not a command lb-cli knows: nothing sensible to offer
                }
                command = sub;
            } else {
                positionals++;
            }
        }
        List<String> offered = new ArrayList<>();
        if (pendingOption != null) {
            addNames(offered, pendingOption.paramLabel(), socket);
        } else if (current.startsWith("-")) {
            for (OptionSpec option : (command == null ? rootSpec : command).options()) {
                if (!option.hidden()) {
                    offered.addAll(List.of(option.names()));
                }
            }
        } else if (command == null) {
            rootSpec.subcommands().forEach((name, sub) -> {
                if (!sub.getCommandSpec().usageMessage().hidden()) {
                    offered.add(name);
                }
            });
        } else {
            for (PositionalParamSpec p : command.positionalParameters()) {
                if (p.index().contains(positionals)) {
                    addNames(offered, p.paramLabel(), socket);
                }
            }
        }
        offered.removeIf(c -> !c.startsWith(current));
        return offered.stream().distinct().sorted().toList();
    }

    private static OptionSpec findOption(CommandSpec spec, String word) {
        int eq = word.indexOf('=');
        return spec.findOption(eq < 0 ? word : word.substring(0, eq));
    }

    private static CommandSpec subcommand(CommandSpec root, String name) {
        var sub = root.subcommands().get(name);
        return sub == null ? null : sub.getCommandSpec();
    }

    /** The daemon's names for a parameter labelled POOL/BACKEND, POOL or LISTENER; nothing for others. */
    private void addNames(List<String> offered, String label, Path socket) {
        boolean backends = label.contains("BACKEND");
        boolean pools = label.equals("POOL") || label.equals("<POOL>");
        boolean listeners = label.contains("LISTENER");
        if (!backends && !pools && !listeners) {
            return;
        }
        Reply.Status status = status(socket);
        if (status == null) {
            return;
        }
        if (listeners) {
            status.listeners().forEach(l -> offered.add(l.name()));
        }
        for (Reply.PoolStatus pool : status.pools()) {
            if (pools) {
                offered.add(pool.name());
            }
            if (backends) {
                pool.backends().forEach(b -> offered.add(pool.name() + "/" + b.name()));
            }
        }
    }

    private Reply.Status status(Path socket) {
        Request request = new Request.Status();
        try {
            Envelope reply = new AdminClient(socket != null ? socket : root.socketPath(), DAEMON_TIMEOUT)
                    .call(request, line -> { }, progress -> { });
            return reply.ok() ? (Reply.Status) reply.reply(request.command()) : null;
        } catch (AdminClient.UnreachableException | IllegalArgumentException | ClassCastException e) {
            return null; // completion offers what it knows without the daemon
        }
    }
}
