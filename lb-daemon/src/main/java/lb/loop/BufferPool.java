package lb.loop;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Owned by its EventLoop thread; {@link #bytesInUse()} may be read by any thread. A bounded pool of
 * direct buffers that hold bytes a peer did not take yet ("pending" bytes). Sessions borrow one only
 * on a short write and return it once flushed, so an idle session holds none.
 *
 * <p>The bound is hard: when every buffer is lent out, {@link #hasAvailable()} is false and
 * sessions stop reading until one comes back, so no peer can make the daemon grow. Buffers once
 * allocated are kept for reuse (the pool's high-water mark stays allocated, within the bound).
 * The bookkeeping array holds one reference per possible buffer (8 bytes per 32 KiB of bound).
 */
public final class BufferPool {

    /** Owned by the pool's loop. Someone who stopped reading until a buffer is free. */
    public interface Waiter {
        /** A buffer may be free now; returns false when the waiter no longer wants one (it closed). */
        boolean onBufferAvailable();
    }

    private final int bufferSize;
    private final int boundBuffers;
    private int maxBuffers; // lowered if the JVM runs out of direct memory first
    // Grows (doubling) with the buffers allocated, never past the bound: a bound of 1000 GiB must
    // not mean an array of millions of slots on the heap at start.
    private ByteBuffer[] free;
    private int freeCount;
    private int allocated;
    private int lent;
    private volatile boolean directMemoryExhausted;
    // At most one entry per starved relay direction, so bounded by the loop's sessions.
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    // Written only by the owner; volatile so stats readers see a recent value.
    private volatile long bytesInUse;

    private static final int INITIAL_SLOTS = 64;

    public BufferPool(int bufferSize, long maxBytes) {
        this.bufferSize = bufferSize;
        this.boundBuffers = (int) Math.max(1, Math.min(Integer.MAX_VALUE - 8, maxBytes / bufferSize));
        this.maxBuffers = boundBuffers;
        this.free = new ByteBuffer[Math.min(boundBuffers, INITIAL_SLOTS)];
    }

    public int bufferSize() {
        return bufferSize;
    }

    /**
     * Whether {@link #borrow()} would succeed now. Allocates the next buffer here rather than in
     * borrow(), so that a JVM out of direct memory makes the pool smaller (sessions wait for a
     * buffer, as at the configured bound) instead of failing a session halfway through a write.
     */
    public boolean hasAvailable() {
        return freeCount > 0 || grow();
    }

    private boolean grow() {
        if (allocated >= maxBuffers) {
            return false;
        }
        if (allocated >= free.length) {
            // Every buffer made so far may come back at once: room for one more first (amortized;
            // only while the pool expands, never in the steady state).
            free = java.util.Arrays.copyOf(free, (int) Math.min(boundBuffers, 2L * free.length));
        }
        try {
            free[freeCount++] = ByteBuffer.allocateDirect(bufferSize);
            allocated++;
            return true;
        } catch (OutOfMemoryError e) {
            maxBuffers = allocated;
            directMemoryExhausted = true;
            return false;
        }
    }

    /** Whether the JVM's direct memory limit, not the configured bound, capped this pool. */
    public boolean directMemoryExhausted() {
        return directMemoryExhausted;
    }

    /** A cleared buffer; only after {@link #hasAvailable()} said true on this pass. */
    public ByteBuffer borrow() {
        if (freeCount == 0) {
            throw new IllegalStateException("buffer pool exhausted; callers must check hasAvailable()");
        }
        ByteBuffer buffer = free[--freeCount];
        free[freeCount] = null;
        buffer.clear();
        lent++;
        bytesInUse = (long) lent * bufferSize;
        return buffer;
    }

    /** Returns a buffer borrowed from this pool. */
    public void release(ByteBuffer buffer) {
        lent--;
        bytesInUse = (long) lent * bufferSize;
        free[freeCount++] = buffer;
        while (!waiters.isEmpty() && hasAvailable()) {
            if (waiters.pollFirst().onBufferAvailable()) {
                break;
            }
        }
    }

    /** Calls {@code waiter} back once a buffer is returned. */
    public void await(Waiter waiter) {
        waiters.addLast(waiter);
    }

    /** Bytes lent out now. Any thread. */
    public long bytesInUse() {
        return bytesInUse;
    }

    /** Upper bound of {@link #bytesInUse()}, as configured. Any thread. */
    public long maxBytes() {
        return (long) boundBuffers * bufferSize;
    }
}
