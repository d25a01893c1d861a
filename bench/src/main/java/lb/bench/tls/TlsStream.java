package lb.bench.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * Owned by one selector thread. TLS over a non-blocking {@link SocketChannel} through a JDK
 * {@link SSLEngine}, for bench's TLS load and its TLS echo backend: the engine's delegated tasks
 * run inline on the owner's thread (a load tool's handshakes cost CPU either way).
 *
 * <p>Three buffers, made once and reused for every connection {@link #open} hands the stream:
 * {@code netIn} (write mode: bytes read from the socket, not yet unwrapped), {@code netOut} (read
 * mode: records wrapped, not yet written) and {@code appIn} (write mode: plaintext unwrapped, for
 * the owner to take). Nothing else is allocated per connection here; the engine allocates what it
 * allocates.
 *
 * <p>The owner's loop: {@link #handshake()} until {@link #DONE}, waiting for the interest it
 * returns; then {@link #write}, {@link #flush()} and {@link #read()}. {@link #read()} reads the
 * socket at most once per call and returns 0 only when no whole record is left in {@code netIn},
 * so an owner that stops on 0 and waits for OP_READ never leaves a readable record behind; an
 * owner that stops for another reason checks {@link #hasBufferedRecord()}.
 */
public final class TlsStream {

    /** {@link #handshake()}: the handshake is complete (and everything it wrote is flushed). */
    public static final int DONE = 0;
    /** {@link #handshake()}: the peer closed (end of stream or close_notify) before the handshake completed. */
    public static final int CLOSED = -1;

    private static final int RECORD_HEADER = 5;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final ByteBuffer netIn;
    private final ByteBuffer netOut;
    private final ByteBuffer appIn;
    private SSLEngine engine;
    private SocketChannel channel;
    private boolean inputEnded;

    private TlsStream(int packetBytes, int applicationBytes) {
        this.netIn = ByteBuffer.allocate(packetBytes);
        this.netOut = ByteBuffer.allocate(packetBytes);
        this.appIn = ByteBuffer.allocate(applicationBytes);
    }

    /** A stream with buffers as large as {@code prototype}'s session asks for. */
    public static TlsStream sizedFor(SSLEngine prototype) {
        return new TlsStream(prototype.getSession().getPacketBufferSize(),
                prototype.getSession().getApplicationBufferSize());
    }

    /** Starts a connection over {@code channel} with a fresh {@code engine}; the buffers are emptied. */
    public void open(SSLEngine engine, SocketChannel channel) throws SSLException {
        this.engine = engine;
        this.channel = channel;
        this.inputEnded = false;
        netIn.clear();
        netOut.clear().flip();
        appIn.clear();
        engine.beginHandshake();
    }

    public SSLEngine engine() {
        return engine;
    }

    /** Plaintext unwrapped, in write mode: [0, position) is the owner's to take; it clears or compacts. */
    public ByteBuffer appIn() {
        return appIn;
    }

    /** Records wrapped but not yet written to the socket. */
    public boolean hasPendingOutput() {
        return netOut.hasRemaining();
    }

    /** A whole record waits in {@code netIn}: {@link #read()} can make progress without the socket. */
    public boolean hasBufferedRecord() {
        int have = netIn.position();
        return have >= RECORD_HEADER
                && RECORD_HEADER + ((netIn.get(3) & 0xff) << 8 | (netIn.get(4) & 0xff)) <= have;
    }

    /** Writes pending records; true once none is left, false when the socket took what it could. */
    public boolean flush() throws IOException {
        while (netOut.hasRemaining()) {
            if (channel.write(netOut) == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Advances the handshake as far as it goes without waiting: {@link #DONE}, {@link #CLOSED}, or
     * the {@link SelectionKey} interest ({@code OP_READ}, {@code OP_WRITE}) to wait for.
     *
     * @throws SSLException the handshake failed (an alert from the peer, a certificate refused, ...)
     */
    public int handshake() throws IOException {
        while (true) {
            if (!flush()) {
                return SelectionKey.OP_WRITE;
            }
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> runTasks();
                case NEED_WRAP -> {
                    if (wrap(EMPTY).getStatus() == SSLEngineResult.Status.CLOSED && !netOut.hasRemaining()) {
                        return CLOSED;
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    SSLEngineResult result = unwrap();
                    switch (result.getStatus()) {
                        case CLOSED -> {
                            return CLOSED;
                        }
                        case BUFFER_UNDERFLOW -> {
                            int n = fill();
                            if (n < 0) {
                                return CLOSED;
                            }
                            if (n == 0) {
                                return SelectionKey.OP_READ;
                            }
                        }
                        case BUFFER_OVERFLOW -> throw new SSLException("application data before the handshake was complete");
                        case OK -> {
                            // go on with whatever the engine needs next
                        }
                    }
                }
                default -> {
                    return DONE; // NOT_HANDSHAKING, FINISHED
                }
            }
        }
    }

    /**
     * Wraps as much of {@code src} as one record takes into the pending output (call with none
     * pending, or after {@link #flush()}); returns the plaintext bytes consumed, 0 when the
     * pending output has no room.
     */
    public int write(ByteBuffer src) throws IOException {
        SSLEngineResult result = wrap(src);
        if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new SSLException("cannot write: the TLS connection is closed");
        }
        return result.bytesConsumed();
    }

    /**
     * Unwraps into {@code appIn} (call with {@code appIn} empty) until some plaintext arrives,
     * reading the socket at most once. Returns the plaintext bytes, 0 when none is there yet (no
     * whole record left: wait for OP_READ), -1 once the peer has closed (close_notify or end of
     * stream). Post-handshake messages (TLS 1.3 session tickets, key updates) are handled on the way.
     */
    public int read() throws IOException {
        boolean filled = false;
        while (true) {
            SSLEngineResult result = unwrap();
            int produced = result.bytesProduced();
            switch (result.getStatus()) {
                case OK -> {
                    if (result.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                            && result.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.FINISHED) {
                        int step = handshake();
                        if (step == CLOSED) {
                            inputEnded = true;
                        }
                    }
                    if (produced > 0) {
                        return produced;
                    }
                }
                case CLOSED -> {
                    inputEnded = true;
                    return produced > 0 ? produced : -1;
                }
                case BUFFER_OVERFLOW -> {
                    if (produced > 0) {
                        return produced;
                    }
                    throw new SSLException("read with " + appIn.position() + " unread plaintext bytes");
                }
                case BUFFER_UNDERFLOW -> {
                    if (filled) {
                        return 0;
                    }
                    filled = true;
                    int n = fill();
                    if (n < 0) {
                        return -1;
                    }
                    if (n == 0) {
                        return 0;
                    }
                }
            }
        }
    }

    /**
     * Ends the connection politely without waiting: close_notify wrapped and offered to the
     * socket once. The owner closes the channel afterwards.
     */
    public void closeOutboundQuietly() {
        try {
            engine.closeOutbound();
            if (!netOut.hasRemaining()) {
                wrap(EMPTY);
            }
            channel.write(netOut);
        } catch (IOException | RuntimeException ignored) {
            // closing anyway; the peer sees the end of stream
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private SSLEngineResult wrap(ByteBuffer src) throws SSLException {
        netOut.compact();
        try {
            return engine.wrap(src, netOut);
        } finally {
            netOut.flip();
        }
    }

    private SSLEngineResult unwrap() throws SSLException {
        netIn.flip();
        try {
            return engine.unwrap(netIn, appIn);
        } finally {
            netIn.compact();
        }
    }

    /** Reads the socket into {@code netIn}: bytes read, 0 for none now, -1 at end of stream. */
    private int fill() throws IOException {
        if (inputEnded) {
            return -1;
        }
        if (!netIn.hasRemaining()) {
            throw new SSLException("a TLS record larger than " + netIn.capacity() + " bytes");
        }
        int n = channel.read(netIn);
        if (n < 0) {
            inputEnded = true;
        }
        return n;
    }
}
