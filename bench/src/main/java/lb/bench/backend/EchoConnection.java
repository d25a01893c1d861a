package lb.bench.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Owned by the backend's selector thread. Echoes every byte. What the client does not take at once
 * is kept in this connection's pending buffer and reading stops until it is flushed, so a client
 * that never reads costs one buffer, not unbounded memory. After the client's end of stream the
 * pending bytes are flushed and the output half-closed, as a well-behaved server does.
 */
final class EchoConnection extends BackendConnection {

    private ByteBuffer pending; // made on the first short write, kept: flip mode, [position, limit) is owed
    private boolean inputEnded;

    EchoConnection(SocketChannel channel, BackendStats stats) {
        super(channel, stats);
    }

    @Override
    boolean onReady(ByteBuffer in, ByteBuffer out) throws IOException {
        if (pending != null && pending.hasRemaining()) {
            stats.addSent(channel.write(pending));
            if (pending.hasRemaining()) {
                return true; // still waiting for OP_WRITE
            }
            key.interestOps(SelectionKey.OP_READ);
        }
        for (int i = 0; i < SPINS_PER_EVENT && !inputEnded; i++) {
            int n = readInto(in);
            if (n < 0) {
                inputEnded = true;
            } else if (n == 0) {
                break;
            } else {
                in.flip();
                stats.addSent(channel.write(in));
                if (in.hasRemaining()) {
                    keep(in);
                    return true;
                }
            }
        }
        if (inputEnded) {
            channel.shutdownOutput();
            return false;
        }
        return true;
    }

    private void keep(ByteBuffer rest) {
        if (pending == null) {
            pending = ByteBuffer.allocate(rest.capacity());
        }
        pending.clear();
        pending.put(rest).flip();
        key.interestOps(SelectionKey.OP_WRITE);
    }
}
