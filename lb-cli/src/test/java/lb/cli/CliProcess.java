package lb.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lb.testing.ChildJvm;

/**
 * Any thread. {@code lb.cli.LbCli --socket SOCKET ...} as a process (see {@link ChildJvm}), so a
 * test can wait for a progress line of a command still running (drain --wait, remove) and time it.
 */
final class CliProcess extends ChildJvm {

    private CliProcess(List<String> args) throws IOException {
        // The CLI reads no input.
        super("64m", "lb.cli.LbCli", args, true);
    }

    /** {@code lb-cli --socket SOCKET ARGS...}, running in the background. */
    static CliProcess start(Path socket, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--socket", socket.toString()));
        all.addAll(List.of(args));
        return new CliProcess(all);
    }
}
