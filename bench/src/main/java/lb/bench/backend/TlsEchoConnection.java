package lb.bench.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import lb.bench.tls.TlsStream;

/**
 * Owned by the backend's selector thread. A TLS echo: the handshake (the engine's tasks run on this
 * thread), the announcement if there is one, then every plaintext byte wrapped and sent back.
 * Reading stops while sent records wait for the client to take them, as {@link EchoConnection}
 * does. A client's close_notify or end of stream is answered with close_notify and a close.
 *
 * <p>Each connection has its own {@link TlsStream} buffers (some 50 KB): TLS needs its partial
 * records kept per connection, so the selector's scratch buffers are not used.
 */
final class TlsEchoConnection extends BackendConnection {

    private final TlsStream tls;
    private final ByteBuffer announcement; // remaining: still to be sent; null: none
    private boolean handshaken;

    TlsEchoConnection(SocketChannel channel, BackendStats stats, TlsEcho echo) throws IOException {
        super(channel, stats);
        var engine = echo.engine();
        this.tls = TlsStream.sizedFor(engine);
        this.tls.open(engine, channel);
        this.announcement = echo.announcement() == null ? null : ByteBuffer.wrap(echo.announcement());
    }

    @Override
    boolean onReady(ByteBuffer in, ByteBuffer out) throws IOException {
        if (!handshaken) {
            int step = tls.handshake();
            if (step == TlsStream.CLOSED) {
                return false;
            }
            if (step != TlsStream.DONE) {
                key.interestOps(step);
                return true;
            }
            handshaken = true;
            stats.addHandshake();
        }
        ByteBuffer plain = tls.appIn();
        for (int i = 0; i < SPINS_PER_EVENT || tls.hasBufferedRecord(); i++) {
            if (tls.hasPendingOutput() && !tls.flush()) {
                key.interestOps(SelectionKey.OP_WRITE);
                return true;
            }
            if (announcement != null && announcement.hasRemaining()) {
                tls.write(announcement);
                continue;
            }
            if (plain.position() > 0) {
                plain.flip();
                stats.addSent(tls.write(plain));
                plain.compact();
                continue;
            }
            int n = tls.read();
            if (n < 0) {
                tls.closeOutboundQuietly();
                return false;
            }
            if (n == 0) {
                break;
            }
            stats.addReceived(n);
        }
        // Out of turns with plaintext still to wrap: OP_WRITE brings this connection back at once.
        boolean more = tls.hasPendingOutput() || plain.position() > 0
                || announcement != null && announcement.hasRemaining();
        key.interestOps(SelectionKey.OP_READ | (more ? SelectionKey.OP_WRITE : 0));
        return true;
    }
}
