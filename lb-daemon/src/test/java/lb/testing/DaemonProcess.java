package lb.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Any thread. An {@code lb.Main} process started with the test JVM's own java binary and
 * classpath. Its stdout and stderr are read on two threads into line lists, so tests can wait for
 * a log line with a deadline and print everything the process said in a failure message.
 * {@link #close()} kills it (forcibly) if it is still running.
 */
public final class DaemonProcess implements AutoCloseable {

    /** The line the daemon logs per bound listener. */
    public static final Pattern LISTENER_LINE = Pattern.compile("listener \"([^\"]+)\" on (\\S+):(\\d+)");
    public static final Pattern READY_LINE = Pattern.compile("ready");
    public static final Pattern STOPPING_LINE = Pattern.compile("stopping");

    private final Process process;
    private final List<String> args;
    private final List<String> stdoutLines = new ArrayList<>();
    private final List<String> stderrLines = new ArrayList<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;

    private DaemonProcess(Process process, List<String> args) {
        this.process = process;
        this.args = args;
        this.stdoutReader = LineFollower.follow(process.getInputStream(), stdoutLines, this, "lb-main-stdout");
        this.stderrReader = LineFollower.follow(process.getErrorStream(), stderrLines, this, "lb-main-stderr");
    }

    public static DaemonProcess start(String... args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1"); // starts faster; these processes are short-lived
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("lb.Main");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        return new DaemonProcess(process, List.of(args));
    }

    public Process process() {
        return process;
    }

    /**
     * Waits for a stderr line matching {@code pattern} (searching every line so far) and returns
     * its matcher; fails with the whole output after {@code timeout} or if the process exits first.
     */
    public Matcher awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (this) {
            while (true) {
                for (; seen < stderrLines.size(); seen++) {
                    Matcher m = pattern.matcher(stderrLines.get(seen));
                    if (m.find()) {
                        return m;
                    }
                }
                long leftNs = deadlineNs - System.nanoTime();
                if (leftNs <= 0) {
                    fail("no stderr line matching /" + pattern + "/ within " + timeout.toMillis() + " ms" + output());
                }
                if (!process.isAlive() && !stderrReader.isAlive()) {
                    fail("process exited (" + process.exitValue() + ") without a stderr line matching /" + pattern + "/"
                            + output());
                }
                wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(leftNs), 100)));
            }
        }
    }

    /** The address logged for listener {@code name}. */
    public InetSocketAddress awaitListener(String name, Duration timeout) throws InterruptedException {
        Pattern one = Pattern.compile("listener \"" + Pattern.quote(name) + "\" on (\\S+):(\\d+)");
        Matcher m = awaitLine(one, timeout);
        return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
    }

    /**
     * Sends SIGTERM. Through the {@link ProcessHandle}, not {@link Process#destroy()}: that also
     * closes our ends of the process's stdout and stderr, and the log lines written after the
     * signal (the ones shutdown tests look for) would be lost.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** Waits for the exit code; fails with the output if the process is still running after {@code timeout}. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("process still running after " + timeout.toMillis() + " ms" + output());
        }
        // Let the readers take the last lines so that callers see the complete output.
        stdoutReader.join(2_000);
        stderrReader.join(2_000);
        return process.exitValue();
    }

    public synchronized List<String> stderrLines() {
        return List.copyOf(stderrLines);
    }

    public synchronized List<String> stdoutLines() {
        return List.copyOf(stdoutLines);
    }

    /** Everything the process printed, for failure messages. */
    public synchronized String output() {
        return "\n--- lb.Main " + String.join(" ", args) + "\n--- stdout:\n" + String.join("\n", stdoutLines)
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
