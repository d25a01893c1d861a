package lb.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Owns one daemon thread per followed stream. Reads a child process's output line by line into a
 * list, under the monitor of {@code lock} and with {@code notifyAll} per line, so a test can wait
 * for a line with a deadline while the process runs.
 */
public final class LineFollower {

    private LineFollower() {
    }

    /** Starts a thread named {@code name} adding each line of {@code stream} to {@code lines}. */
    public static Thread follow(InputStream stream, List<String> lines, Object lock, String name) {
        Thread thread = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lock) {
                        lines.add(line);
                        lock.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
