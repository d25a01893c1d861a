package lb.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Any thread. A Java main class run as a child process with the test JVM's own java binary and
 * classpath. Its stdout and stderr are read on two threads into line lists, so tests can wait for a
 * line with a deadline and print everything the process said in a failure message. {@link #close()}
 * kills it (forcibly) if it is still running. {@link DaemonProcess} and lb-cli's {@code CliProcess}
 * are the two kinds.
 */
public class ChildJvm implements AutoCloseable {

    private final Process process;
    private final String label;
    private final long startNs;
    private final List<String> stdoutLines = new ArrayList<>();
    private final List<String> stderrLines = new ArrayList<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private final CompletableFuture<Void> exited;
    private volatile long exitNs;

    /**
     * Starts {@code mainClass} with {@code args} and a heap of {@code maxHeap} (e.g. "256m"); with
     * {@code noInput}, its stdin is closed at once.
     */
    protected ChildJvm(String maxHeap, String mainClass, List<String> args, boolean noInput) throws IOException {
        this(0, List.of(), maxHeap, mainClass, args, noInput);
    }

    /** As above, with at most {@code fileLimit} open descriptors ({@code ulimit -n}; 0: inherited). */
    protected ChildJvm(int fileLimit, List<String> jvmOptions, String maxHeap, String mainClass, List<String> args,
                       boolean noInput) throws IOException {
        this(fileLimit, jvmOptions, java.util.Map.of(), maxHeap, mainClass, args, noInput);
    }

    /** As above, with {@code environment} added to this JVM's own. */
    protected ChildJvm(int fileLimit, List<String> jvmOptions, java.util.Map<String, String> environment, String maxHeap,
                       String mainClass, List<String> args, boolean noInput) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + maxHeap,
                "-XX:TieredStopAtLevel=1", // starts faster; these processes are short-lived
                "-cp", System.getProperty("java.class.path")));
        command.addAll(jvmOptions);
        command.add(mainClass);
        command.addAll(args);
        if (fileLimit > 0) {
            // exec: the shell becomes the JVM, so the pid (and signals to it) stay the same.
            List<String> limited = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + fileLimit + " && exec \"$@\"",
                    "bash"));
            limited.addAll(command);
            command = limited;
        }
        this.label = mainClass + " " + String.join(" ", args);
        this.startNs = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        this.process = builder.start();
        if (noInput) {
            process.getOutputStream().close();
        }
        String name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
        this.stdoutReader = LineFollower.follow(process.getInputStream(), stdoutLines, this, name + "-stdout");
        this.stderrReader = LineFollower.follow(process.getErrorStream(), stderrLines, this, name + "-stderr");
        // The JVM's own reaper notices the exit as soon as it happens, so wall times do not
        // depend on when the test thread gets round to asking.
        this.exited = process.onExit().thenRun(() -> exitNs = System.nanoTime());
    }

    public Process process() {
        return process;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for a stderr line matching {@code pattern} (searching every line so far) and returns
     * its matcher; fails with the whole output after {@code timeout} or if the process exits first.
     */
    public Matcher awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        String line = await(stderrLines, stderrReader, l -> pattern.matcher(l).find(), 1, timeout,
                "stderr line matching /" + pattern + "/");
        Matcher m = pattern.matcher(line);
        m.find();
        return m;
    }

    /**
     * Waits until {@code count} stdout lines match {@code line}; fails with the output after
     * {@code timeout} or if the process exits first.
     */
    public void awaitStdout(Predicate<String> line, int count, Duration timeout, String what)
            throws InterruptedException {
        await(stdoutLines, stdoutReader, line, count, timeout, "stdout line(s) " + what);
    }

    /** The {@code count}-th line of {@code lines} that matches, once there is one. */
    private String await(List<String> lines, Thread reader, Predicate<String> match, int count, Duration timeout,
                         String what) throws InterruptedException {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        int matched = 0;
        synchronized (this) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen)) && ++matched >= count) {
                        return lines.get(seen);
                    }
                }
                long leftNs = deadlineNs - System.nanoTime();
                if (leftNs <= 0) {
                    fail("no " + count + " " + what + " within " + timeout.toMillis() + " ms" + output());
                }
                if (!process.isAlive() && !reader.isAlive()) {
                    fail("process exited (" + process.exitValue() + ") before " + count + " " + what + output());
                }
                wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(leftNs), 50)));
            }
        }
    }

    /** Waits for the exit code; fails with the output if the process is still running after {@code timeout}. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("process still running after " + timeout.toMillis() + " ms" + output());
        }
        exited.join(); // exitNs is set by then
        // Let the readers take the last lines so that callers see the complete output.
        stdoutReader.join(2_000);
        stderrReader.join(2_000);
        return process.exitValue();
    }

    /** From start to exit; only after {@link #awaitExit}. */
    public Duration wallTime() {
        return Duration.ofNanos(exitNs - startNs);
    }

    public synchronized List<String> stderrLines() {
        return List.copyOf(stderrLines);
    }

    public synchronized List<String> stdoutLines() {
        return List.copyOf(stdoutLines);
    }

    /** stdout as printed (lines ending in a line feed), "" when nothing. */
    public synchronized String stdout() {
        return stdoutLines.isEmpty() ? "" : String.join("\n", stdoutLines) + "\n";
    }

    public synchronized String stderr() {
        return stderrLines.isEmpty() ? "" : String.join("\n", stderrLines) + "\n";
    }

    /** Everything the process printed, for failure messages. */
    public synchronized String output() {
        return "\n--- " + label + "\n--- stdout:\n" + String.join("\n", stdoutLines) + "\n--- stderr:\n"
                + String.join("\n", stderrLines) + "\n---";
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
