package lb.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import lb.loop.BufferPool;
import lb.loop.EventLoop;

/**
 * Owned by its session's EventLoop thread. One direction of a session: bytes read from a source
 * channel and written to a sink channel.
 *
 * <p>Reads go into the loop's shared read buffer and are written to the sink at once. Only when
 * the sink does not take them all is the rest copied into a buffer borrowed from the loop's pool;
 * the source is then not read again until that buffer is flushed (back-pressure through interest
 * ops). A relay whose sink has fallen behind before does not read while the pool is low and waits
 * for a buffer, so the daemon's memory stays bounded whatever the peers do; one whose sink has
 * always kept up reads on, and may take the pool's reserve when it first falls behind (see
 * {@link BufferPool}), so that peers who never read cannot stall those who do. EOF from the
 * source becomes {@code shutdownOutput()} on the sink once everything pending is flushed.
 */
final class Relay extends BufferPool.Holder implements BufferPool.Waiter {

    /** Reads per readiness event: enough to move bulk data without a select per 64 KiB, few enough to stay fair. */
    private static final int MAX_READS_PER_EVENT = 16;

    private final EventLoop loop;
    private final Session session;
    private SocketChannel source;
    private SocketChannel sink;
    private ByteBuffer pending;
    private boolean sourceEnded;
    private boolean sinkShut;
    private boolean starved;
    // Its sink once did not take all it was given: it must wait for the pool like a bulk transfer.
    private boolean fellBehind;
    private boolean failedOnSource;
    private long bytes;

    Relay(EventLoop loop, Session session) {
        this.loop = loop;
        this.session = session;
    }

    void attach(SocketChannel source, SocketChannel sink) {
        this.source = source;
        this.sink = sink;
    }

    /** Source readable: move what is there, until the source is drained, the sink is full, or the cap. */
    void transfer() throws IOException {
        long before = bytes;
        try {
            transferSome();
        } finally {
            if (bytes != before) {
                session.onRelayed(this, bytes - before); // once per event, not per read
            }
        }
    }

    private void transferSome() throws IOException {
        BufferPool pool = loop.buffers();
        ByteBuffer buffer = loop.readBuffer();
        for (int i = 0; i < MAX_READS_PER_EVENT; i++) {
            if (fellBehind && !pool.hasAvailable()) {
                // A short write now would need a buffer we may not take: wait for one instead.
                starved = true;
                pool.await(this);
                return;
            }
            buffer.clear();
            failedOnSource = true;
            int n = source.read(buffer);
            if (n < 0) {
                sourceEnded = true;
                shutdownSinkIfFlushed();
                return;
            }
            if (n == 0) {
                return;
            }
            bytes += n;
            buffer.flip();
            failedOnSource = false;
            sink.write(buffer);
            if (buffer.hasRemaining()) {
                keepRest(pool, buffer);
                return;
            }
            if (n < buffer.capacity()) {
                return; // the socket had less than a buffer: another read would most likely find nothing
            }
        }
    }

    /** What the sink did not take waits in a pooled buffer; the first time, perhaps the reserve's. */
    private void keepRest(BufferPool pool, ByteBuffer rest) {
        long nowNs = loop.nowNs();
        if (fellBehind) {
            pending = pool.borrow(this, nowNs); // hasAvailable() said yes before the read
        } else {
            fellBehind = true;
            boolean room = pool.makeRoom(nowNs);
            if (session.isClosed()) {
                return; // the holder evicted to make room was this session's other direction
            }
            if (!room) {
                session.close(Termination.NO_BUFFER);
                return;
            }
            pending = pool.borrow(this, nowNs);
        }
        pending.put(rest).flip();
    }

    /**
     * Client bytes that came with its PROXY protocol header, before there is a backend: kept in a
     * pooled buffer (the first time, perhaps the reserve's) for the backend, which gets them first.
     * Returns false when there is no room, the session then being closed.
     */
    boolean preload(ByteBuffer bytes) {
        if (!borrowBeforeBackend()) {
            return false;
        }
        pending.put(bytes).flip();
        return true;
    }

    /**
     * Before there is a backend, client bytes are read ahead into a pooled buffer and kept there
     * (the ClientHello routes the session; the backend then gets them first, unchanged). Takes a
     * buffer, or keeps what {@link #preload} put in one; false when there is no room, the session
     * then being closed.
     */
    boolean beginAhead() {
        if (pending != null) {
            pending.compact(); // back to filling, after what came with the PROXY header
            return true;
        }
        if (!borrowBeforeBackend()) {
            return false;
        }
        pending.clear();
        return true;
    }

    /**
     * A pooled buffer for client bytes kept before there is a backend (the first time, perhaps the
     * reserve's); false when there is no room, the session then being closed.
     */
    private boolean borrowBeforeBackend() {
        BufferPool pool = loop.buffers();
        long nowNs = loop.nowNs();
        boolean room = pool.makeRoom(nowNs);
        if (session.isClosed()) {
            return false;
        }
        if (!room) {
            session.close(Termination.NO_BUFFER);
            return false;
        }
        pending = pool.borrow(this, nowNs);
        return true;
    }

    /** While reading ahead: the buffer, being filled (position = bytes so far). */
    ByteBuffer ahead() {
        return pending;
    }

    /** While reading ahead: reads from {@code from} into the buffer, up to {@code max} bytes in all. */
    int readAhead(SocketChannel from, int max) throws IOException {
        pending.limit(max);
        try {
            return from.read(pending);
        } finally {
            pending.limit(pending.capacity());
        }
    }

    /** Reading ahead is over: what came waits for the backend (or the buffer goes back when nothing did). */
    void endAhead() {
        pending.flip();
        if (!pending.hasRemaining()) {
            loop.buffers().release(pending, this);
            pending = null;
        }
    }

    /** The client sent its FIN while read ahead: the backend gets it once what came is flushed. */
    void sourceEndedEarly() {
        sourceEnded = true;
    }

    /** The backend is connected: counts the preloaded bytes as relayed and writes them. */
    void flushPreloaded() throws IOException {
        int n = pending.remaining();
        bytes += n;
        session.onRelayed(this, n);
        flush();
    }

    /** Sink writable: write what is pending; once flushed, the source may be read again. */
    void flush() throws IOException {
        if (pending == null) {
            return;
        }
        failedOnSource = false;
        sink.write(pending);
        if (!pending.hasRemaining()) {
            loop.buffers().release(pending, this);
            pending = null;
            shutdownSinkIfFlushed();
        }
    }

    private void shutdownSinkIfFlushed() throws IOException {
        if (sourceEnded && pending == null && !sinkShut) {
            sinkShut = true;
            // When the other direction is over too the session closes now, and close() sends the FIN.
            if (!session.otherDirectionDone(this)) {
                failedOnSource = false;
                sink.shutdownOutput();
            }
        }
    }

    @Override
    public boolean onBufferAvailable() {
        if (!starved) {
            return false;
        }
        starved = false;
        return session.onRelayResumed();
    }

    /** Its sink has not taken the pending buffer for long while others on the loop wait for one. */
    @Override
    protected void evict() {
        session.close(Termination.WRITE_STALLED);
    }

    boolean wantsRead() {
        return !sourceEnded && pending == null && !starved;
    }

    boolean wantsWrite() {
        return pending != null;
    }

    /** EOF was read from the source and propagated to the sink: this direction is over. */
    boolean isDone() {
        return sinkShut;
    }

    /** After an IOException from {@link #transfer} or {@link #flush}: whether the source (else the sink) failed. */
    boolean failedOnSource() {
        return failedOnSource;
    }

    long bytes() {
        return bytes;
    }

    /** Returns the pending buffer, if any, to the pool; the session is closing. */
    void release() {
        starved = false;
        if (pending != null) {
            loop.buffers().release(pending, this);
            pending = null;
        }
    }
}
