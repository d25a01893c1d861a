package lb.bench.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** Owned by the backend's selector thread. Reads and discards until the client's end of stream. */
final class SinkConnection extends BackendConnection {

    SinkConnection(SocketChannel channel, BackendStats stats) {
        super(channel, stats);
    }

    @Override
    boolean onReady(ByteBuffer in, ByteBuffer out) throws IOException {
        for (int i = 0; i < SPINS_PER_EVENT; i++) {
            int n = readInto(in);
            if (n < 0) {
                return false;
            }
            if (n == 0) {
                break;
            }
        }
        return true;
    }
}
