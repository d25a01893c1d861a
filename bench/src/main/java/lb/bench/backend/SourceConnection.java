package lb.bench.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Owned by the backend's selector thread. Writes an endless stream of bytes while the client takes
 * them; reads and discards whatever the client sends, and stops at the client's end of stream.
 */
final class SourceConnection extends BackendConnection {

    SourceConnection(SocketChannel channel, BackendStats stats) {
        super(channel, stats);
    }

    @Override
    int initialInterest() {
        return SelectionKey.OP_READ | SelectionKey.OP_WRITE;
    }

    @Override
    boolean onReady(ByteBuffer in, ByteBuffer out) throws IOException {
        if (key.isReadable()) {
            int n = readInto(in);
            if (n < 0) {
                return false;
            }
        }
        if (key.isWritable()) {
            for (int i = 0; i < SPINS_PER_EVENT; i++) {
                // The content does not matter, only its length: the whole buffer every time.
                out.clear();
                int n = channel.write(out);
                stats.addSent(n);
                if (out.hasRemaining()) {
                    break;
                }
            }
        }
        return true;
    }
}
