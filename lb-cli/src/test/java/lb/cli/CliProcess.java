package lb.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import lb.testing.LineFollower;

/**
 * Any thread. {@code lb.cli.LbCli} as a process, started with the test JVM's own java binary and
 * classpath. Its stdout and stderr are read line by line on two threads, so a test can wait for a
 * progress line of a command that is still running (drain --wait, remove) with a deadline.
 * {@link #close()} kills it if it is still running.
 */
final class CliProcess implements AutoCloseable {

    private final Process process;
    private final List<String> args;
    private final long startNs;
    private final List<String> stdoutLines = new ArrayList<>();
    private final List<String> stderrLines = new ArrayList<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private final java.util.concurrent.CompletableFuture<Void> exited;
    private volatile long exitNs;

    private CliProcess(Process process, List<String> args, long startNs) {
        this.process = process;
        this.args = args;
        this.startNs = startNs;
        this.stdoutReader = LineFollower.follow(process.getInputStream(), stdoutLines, this, "lb-cli-stdout");
        this.stderrReader = LineFollower.follow(process.getErrorStream(), stderrLines, this, "lb-cli-stderr");
        // The JVM's own reaper notices the exit as soon as it happens, so wall times do not
        // depend on when the test thread gets round to asking.
        this.exited = process.onExit().thenRun(() -> exitNs = System.nanoTime());
    }

    /** {@code lb-cli --socket SOCKET ARGS...}, running in the background. */
    static CliProcess start(Path socket, String... args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "lb.cli.LbCli", "--socket", socket.toString()));
        command.addAll(List.of(args));
        long startNs = System.nanoTime();
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close(); // the CLI reads no input; `top` would take EOF as "quit"
        return new CliProcess(process, List.of(args), startNs);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the exit code; fails with the output if the CLI is still running after {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("lb-cli still running after " + timeout.toMillis() + " ms" + output());
        }
        exited.join(); // exitNs is set by then
        stdoutReader.join(2_000); // the last lines, so that callers see the complete output
        stderrReader.join(2_000);
        return process.exitValue();
    }

    /** From start to exit; only after {@link #awaitExit}. */
    Duration wallTime() {
        return Duration.ofNanos(exitNs - startNs);
    }

    /**
     * Waits until {@code count} stdout lines match {@code line}; fails with the output after
     * {@code timeout} or if the CLI exits first.
     */
    void awaitStdout(Predicate<String> line, int count, Duration timeout, String what) throws InterruptedException {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                if (stdoutLines.stream().filter(line).count() >= count) {
                    return;
                }
                long leftNs = deadlineNs - System.nanoTime();
                if (leftNs <= 0) {
                    fail("no " + count + " stdout line(s) " + what + " within " + timeout.toMillis() + " ms" + output());
                }
                if (!process.isAlive() && !stdoutReader.isAlive()) {
                    fail("lb-cli exited (" + process.exitValue() + ") before " + count + " stdout line(s) " + what
                            + output());
                }
                wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(leftNs), 50)));
            }
        }
    }

    synchronized String stdout() {
        return stdoutLines.isEmpty() ? "" : String.join("\n", stdoutLines) + "\n";
    }

    synchronized String stderr() {
        return stderrLines.isEmpty() ? "" : String.join("\n", stderrLines) + "\n";
    }

    /** Everything the CLI printed, for failure messages. */
    synchronized String output() {
        return "\n--- lb-cli " + String.join(" ", args) + "\n--- stdout:\n" + String.join("\n", stdoutLines)
                + "\n--- stderr:\n" + String.join("\n", stderrLines) + "\n---";
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            stdoutReader.join(2_000);
            stderrReader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
