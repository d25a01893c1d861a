package lb.bench.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Owned by the backend's selector thread. One accepted connection; the subclass says what the
 * backend does with it. The buffers passed in belong to the selector thread and are reused for
 * every connection, so a read or write allocates nothing; a connection keeps its own bytes only
 * when the client does not take them as fast as they come (echo).
 */
abstract class BackendConnection {

    /** Reads or writes per readiness event, so one busy connection cannot starve the others. */
    static final int SPINS_PER_EVENT = 16;

    final SocketChannel channel;
    final BackendStats stats;
    SelectionKey key;

    BackendConnection(SocketChannel channel, BackendStats stats) {
        this.channel = channel;
        this.stats = stats;
    }

    /** The interest set a new connection starts with. */
    int initialInterest() {
        return SelectionKey.OP_READ;
    }

    /**
     * Called with the key ready. {@code in} and {@code out} are the selector thread's scratch
     * buffers, contents undefined on entry. Returns false when the connection is finished and
     * should be closed.
     */
    abstract boolean onReady(ByteBuffer in, ByteBuffer out) throws IOException;

    /** Reads what there is into {@code in} (cleared first); -1 at end of stream. */
    final int readInto(ByteBuffer in) throws IOException {
        in.clear();
        int n = channel.read(in);
        if (n > 0) {
            stats.addReceived(n);
        }
        return n;
    }
}
