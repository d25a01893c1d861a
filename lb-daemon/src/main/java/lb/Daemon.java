package lb;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

import lb.config.Config;
import lb.pool.BackendPool;

/**
 * Any thread. A running daemon: its event loops, listeners and pools. Wires threads together and
 * owns the lifecycle; the data path lives in the loops.
 */
public final class Daemon implements AutoCloseable {

    /** Binds every listener and starts the event loops; on failure nothing is left running. */
    public static Daemon start(Config config) throws IOException {
        throw new UnsupportedOperationException("TODO");
    }

    /** The address a listener is bound to (the real port when the config asked for port 0). */
    public InetSocketAddress listenerAddress(String listenerName) {
        throw new UnsupportedOperationException("TODO");
    }

    /** The runtime pool of that name, or null. */
    public BackendPool pool(String name) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Sessions open now, over all loops. */
    public int activeSessions() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Bytes of pending (pooled) buffers lent out now, over all loops. */
    public long pooledBytesInUse() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Upper bound of {@link #pooledBytesInUse()}: the pool limit times the number of loops. */
    public long pooledBytesMax() {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Stops accepting, lets open sessions finish for up to {@code grace}, closes the rest and stops
     * the loops. Returns true when every session ended by itself within the grace period.
     */
    public boolean shutdown(Duration grace) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Immediate shutdown: open sessions are closed at once. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
