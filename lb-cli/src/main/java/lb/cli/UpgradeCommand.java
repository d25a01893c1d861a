package lb.cli;

import java.util.concurrent.Callable;

import lb.protocol.Reply;
import lb.protocol.Request;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** Main thread only. {@code lb-cli upgrade [--timeout SECONDS]}: a new daemon process takes over; this one drains. */
@Command(description = "Start a new daemon process from the installed jar with the same JVM options and config; once "
        + "it has joined every listener and is ready, the running one stops accepting and drains its sessions "
        + "(shutdown_grace), and the admin socket is the new one's. A config that does not validate, or a new process "
        + "that fails or is not ready in time, leaves the running one as it was (exit 1).")
final class UpgradeCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long the new process has to be ready (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() {
        if (timeoutSeconds < 1 || timeoutSeconds > 600) {
            throw new picocli.CommandLine.ParameterException(root.spec.commandLine(),
                    "--timeout: expected 1..600 seconds, got " + timeoutSeconds);
        }
        root.minimumTimeoutSeconds(timeoutSeconds + 10);
        return root.request(new Request.Upgrade(timeoutSeconds * 1000), Reply.Upgrade.class, (r, out) -> {
            out.println("upgraded: pid " + r.newPid() + " took over (ready in " + r.readyMs() + " ms); pid " + r.oldPid()
                    + " drains its sessions for up to " + r.graceMs() / 1000 + " s, then exits");
            if (r.warning() != null) {
                out.println("warning: " + r.warning());
            }
        });
    }
}
