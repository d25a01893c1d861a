package lb.bench.proxy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Any thread. A proxy (lb, HAProxy, nginx) started as a child process. Its stdout and stderr are
 * drained on two daemon threads, so a chatty child never blocks on a full pipe; the last lines are
 * kept for error messages and for {@link #awaitLine}. {@link #close()} stops it: SIGTERM, then
 * SIGKILL after a grace period, descendants (nginx workers) included.
 */
public final class ChildProcess implements AutoCloseable {

    private static final int KEPT_LINES = 200;
    /** USER_HZ, the unit of /proc/PID/stat times: 100 on every Linux ABI the JDK runs on. */
    private static final double CLOCK_TICKS_PER_S = 100.0;
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final String name;
    private final Process process;
    private final ArrayDeque<String> lines = new ArrayDeque<>(); // guarded by this
    private long lineCount; // guarded by this
    private int openStreams = 2; // guarded by this; the output is complete when both readers ended

    private ChildProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        drain(process.getInputStream(), "stdout");
        drain(process.getErrorStream(), "stderr");
    }

    /** Starts {@code command}; {@code name} names it in messages. */
    public static ChildProcess start(String name, List<String> command, Path workDir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        return new ChildProcess(name, builder.start());
    }

    private void drain(InputStream stream, String what) {
        Thread thread = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (this) {
                        lines.addLast(line);
                        lineCount++;
                        if (lines.size() > KEPT_LINES) {
                            lines.removeFirst();
                        }
                        notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            } finally {
                synchronized (this) {
                    openStreams--;
                    notifyAll();
                }
            }
        }, name + "-" + what);
        thread.setDaemon(true);
        thread.start();
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for an output line matching {@code pattern} among the kept lines and those to come;
     * throws with the recent output if the process exits first or {@code timeout} passes.
     */
    public Matcher awaitLine(Pattern pattern, Duration timeout) throws IOException, InterruptedException {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        long seen = 0;
        synchronized (this) {
            while (true) {
                long first = lineCount - lines.size();
                long i = first;
                for (String line : lines) {
                    if (i++ >= seen) {
                        Matcher m = pattern.matcher(line);
                        if (m.find()) {
                            return m;
                        }
                    }
                }
                seen = lineCount;
                long leftNs = deadlineNs - System.nanoTime();
                if (!process.isAlive() && openStreams == 0) { // exited, and every line it wrote is read
                    throw new IOException(name + " exited (" + process.exitValue() + ") before logging /" + pattern + "/"
                            + recentOutput());
                }
                if (leftNs <= 0) {
                    throw new IOException(name + " did not log /" + pattern + "/ within " + timeout.toMillis() + " ms"
                            + recentOutput());
                }
                wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(leftNs), 100)));
            }
        }
    }

    /** The last lines it printed, for error messages. */
    public synchronized String recentOutput() {
        StringBuilder out = new StringBuilder("\n--- last output of ").append(name).append(":\n");
        int skip = Math.max(0, lines.size() - 20);
        for (String line : lines) {
            if (skip-- <= 0) {
                out.append(line).append('\n');
            }
        }
        return out.append("---").toString();
    }

    /**
     * User plus system CPU seconds of the process and its descendants so far, from
     * /proc/PID/stat; a descendant that has exited is no longer counted, so read it while the
     * load runs and before stopping. 0 where /proc is missing.
     */
    public double cpuSeconds() {
        double total = cpuSeconds(process.pid());
        for (ProcessHandle child : process.descendants().toList()) {
            total += cpuSeconds(child.pid());
        }
        return total;
    }

    private static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS_PER_S;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** SIGTERM to it and its descendants, SIGKILL to whatever is left after the grace period. */
    @Override
    public void close() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.toHandle().destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : descendants) {
            // nginx's master stops its workers on SIGTERM; this is for a master that died first.
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
