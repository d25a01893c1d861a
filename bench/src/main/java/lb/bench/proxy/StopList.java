package lb.bench.proxy;

import java.util.ArrayList;
import java.util.List;

/**
 * Any thread (synchronized). What a bench command started (backends, proxy processes), closed
 * newest first by {@link #close()}: at the end of the command, and from a JVM shutdown hook on
 * Ctrl-C or SIGTERM, so no child process or port outlives the command. Closing twice is harmless.
 */
public final class StopList implements AutoCloseable {

    private final List<AutoCloseable> resources = new ArrayList<>();

    public synchronized <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    /** Closes {@code resource} now and forgets it. */
    public void stop(AutoCloseable resource) {
        synchronized (this) {
            resources.remove(resource);
        }
        closeQuietly(resource);
    }

    @Override
    public void close() {
        while (true) {
            AutoCloseable last;
            synchronized (this) {
                if (resources.isEmpty()) {
                    return;
                }
                last = resources.remove(resources.size() - 1);
            }
            closeQuietly(last);
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            System.err.println("could not stop " + resource + ": " + e);
        }
    }

    /**
     * Runs {@code body} with a shutdown hook that closes this list, and closes it at the end;
     * the hook is removed again unless the JVM is already shutting down.
     */
    public <T> T runGuarded(Body<T> body) throws Exception {
        Thread hook = new Thread(this::close, "bench-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return body.run();
        } finally {
            close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran) and closes the same things
            }
        }
    }

    /** The work done while the hook is installed. */
    @FunctionalInterface
    public interface Body<T> {
        T run() throws Exception;
    }
}
