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
 */
public final class BufferPool {

    /** Owned by the pool's loop. Someone who stopped reading until a buffer is free. */
    public interface Waiter {
        /** A buffer may be free now; returns false when the waiter no longer wants one (it closed). */
        boolean onBufferAvailable();
    }

    private final int bufferSize;
    private final int maxBuffers;
    private final ByteBuffer[] free;
    private int freeCount;
    private int allocated;
    private int lent;
    // At most one entry per starved relay direction, so bounded by the loop's sessions.
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    // Written only by the owner; volatile so stats readers see a recent value.
    private volatile long bytesInUse;

    public BufferPool(int bufferSize, long maxBytes) {
        this.bufferSize = bufferSize;
        this.maxBuffers = (int) Math.max(1, Math.min(Integer.MAX_VALUE - 8, maxBytes / bufferSize));
        this.free = new ByteBuffer[Math.min(maxBuffers, 1024)];
    }

    public int bufferSize() {
        return bufferSize;
    }

    /** Whether {@link #borrow()} would succeed now. */
    public boolean hasAvailable() {
        return lent < maxBuffers;
    }

    /** A cleared buffer; only after {@link #hasAvailable()} said true on this pass. */
    public ByteBuffer borrow() {
        ByteBuffer buffer;
        if (freeCount > 0) {
            buffer = free[--freeCount];
            free[freeCount] = null;
            buffer.clear();
        } else if (allocated < maxBuffers) {
            buffer = ByteBuffer.allocateDirect(bufferSize);
            allocated++;
        } else {
            throw new IllegalStateException("buffer pool exhausted; callers must check hasAvailable()");
        }
        lent++;
        bytesInUse = (long) lent * bufferSize;
        return buffer;
    }

    /** Returns a buffer borrowed from this pool. */
    public void release(ByteBuffer buffer) {
        lent--;
        bytesInUse = (long) lent * bufferSize;
        if (freeCount < free.length) {
            free[freeCount++] = buffer;
        } else {
            allocated--; // beyond the free list's capacity: let it go, the GC frees it
        }
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

    /** Upper bound of {@link #bytesInUse()}. */
    public long maxBytes() {
        return (long) maxBuffers * bufferSize;
    }
}
