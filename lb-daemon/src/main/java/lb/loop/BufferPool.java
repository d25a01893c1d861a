package lb.loop;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Owned by its EventLoop thread; {@link #bytesInUse()} may be read by any thread. A bounded pool of
 * direct buffers that hold bytes a peer did not take yet ("pending" bytes). Sessions borrow one only
 * on a short write and return it once flushed, so an idle session holds none.
 *
 * <p>The bound is hard, and there are two kinds of borrower. A relay whose sink has fallen behind
 * before (a bulk transfer, or a peer that does not read) waits, before it reads, until a buffer
 * outside the last eighth of the pool is free ({@link #hasAvailable()}). A relay whose sink has
 * always kept up (an interactive session) reads whenever it is readable; if its sink then does
 * not take everything, it gets a buffer from anywhere in the pool, the reserve included, or by
 * closing the holder that has kept one longest if that is past {@link #EVICT_AFTER_NS}
 * ({@link #makeRoom}), else it is refused one. So peers that never read fill the pool
 * but cannot stall the sessions that keep up. Buffers once allocated are kept for reuse (the
 * pool's high-water mark stays allocated, within the bound). The bookkeeping array holds one
 * reference per buffer allocated, at most one per buffer of the bound.
 */
public final class BufferPool {

    /** Owned by the pool's loop. Someone who stopped reading until a buffer is free. */
    public interface Waiter {
        /** A buffer may be free now; returns false when the waiter no longer wants one (it closed). */
        boolean onBufferAvailable();
    }

    /**
     * What holds a pending buffer (a relay direction whose sink did not take all): linked in borrow
     * order, so that when the pool runs dry the one that has held its buffer longest, a peer that
     * does not read, can be found in O(1) and closed to make room.
     */
    public abstract static class Holder {
        private Holder prev;
        private Holder next;
        private boolean linked;
        private long heldSinceNs;

        /** Close the session that holds the buffer: it has stalled longest while others wait. */
        protected abstract void evict();
    }

    /**
     * How long a buffer must have been held before its holder may be evicted for a waiter. A
     * well-behaved peer takes a pending buffer in milliseconds; one that has not for this long while
     * the pool is empty and others wait is starving them.
     */
    public static final long EVICT_AFTER_NS = 2_000_000_000L;

    private Holder oldest;
    private Holder newest;
    // Written by the owner only; volatile so that the stats thread reads a recent count.
    private volatile long evictions;

    private final int bufferSize;
    private final int boundBuffers;
    // Buffers only relays that never fell behind may take (see the class comment).
    private final int reserve;
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
    private static final int MAX_EVICTIONS_PER_PASS = 16;
    /**
     * Evictions are paced, one per this on average with bursts of {@link #MAX_EVICTIONS_PER_PASS}:
     * thousands of holders pass the limit together, and closing them all at once (each an RST, the
     * kernel's work on the loop thread) would stall the loop for everyone it serves.
     */
    static final long EVICTION_SPACING_NS = 1_000_000L;
    // When the next eviction may happen (token bucket: may lag the clock by a burst's worth).
    private long nextEvictionNs = Long.MIN_VALUE;

    public BufferPool(int bufferSize, long maxBytes) {
        this.bufferSize = bufferSize;
        this.boundBuffers = (int) Math.max(1, Math.min(Integer.MAX_VALUE - 8, maxBytes / bufferSize));
        this.maxBuffers = boundBuffers;
        this.reserve = boundBuffers / 8;
        this.free = new ByteBuffer[Math.min(boundBuffers, INITIAL_SLOTS)];
    }

    public int bufferSize() {
        return bufferSize;
    }

    /**
     * Whether a buffer outside the reserve can be had now: what a relay whose sink fell behind before
     * needs before it reads. Allocates the next buffer here rather than in borrow(), so that a JVM
     * out of direct memory makes the pool smaller (sessions wait for a buffer, as at the configured
     * bound) instead of failing a session halfway through a write.
     */
    public boolean hasAvailable() {
        return unlent() > reserve && (freeCount > 0 || grow());
    }

    private boolean evictable(long nowNs) {
        return oldest != null && nowNs - oldest.heldSinceNs >= EVICT_AFTER_NS
                && (nextEvictionNs == Long.MIN_VALUE || nowNs - nextEvictionNs >= 0);
    }

    /** Buffers neither lent nor beyond the bound: free ones and those not yet allocated. */
    private int unlent() {
        return freeCount + Math.max(0, maxBuffers - allocated);
    }

    /**
     * For a relay whose sink has just fallen behind for the first time: whether a buffer can be had
     * from anywhere in the pool, the reserve included, after closing, if need be, the holder that
     * has kept one longest, if that is past {@link #EVICT_AFTER_NS}. That holder may be the other
     * direction of the caller's own session, which the caller must check before it borrows.
     */
    public boolean makeRoom(long nowNs) {
        if (freeCount > 0 || grow()) {
            return true;
        }
        if (evictable(nowNs)) {
            evict(oldest, nowNs);
        }
        return freeCount > 0;
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

    /** As {@link #borrow()}, for {@code holder}, which gives it back with {@link #release(ByteBuffer, Holder)}. */
    public ByteBuffer borrow(Holder holder, long nowNs) {
        ByteBuffer buffer = borrow();
        holder.heldSinceNs = nowNs;
        holder.linked = true;
        holder.prev = newest;
        holder.next = null;
        if (newest != null) {
            newest.next = holder;
        } else {
            oldest = holder;
        }
        newest = holder;
        return buffer;
    }

    /** Returns {@code holder}'s buffer. */
    public void release(ByteBuffer buffer, Holder holder) {
        if (holder.linked) {
            unlink(holder);
        }
        release(buffer);
    }

    private void unlink(Holder holder) {
        holder.linked = false;
        if (holder.prev != null) {
            holder.prev.next = holder.next;
        } else {
            oldest = holder.next;
        }
        if (holder.next != null) {
            holder.next.prev = holder.prev;
        } else {
            newest = holder.prev;
        }
        holder.prev = null;
        holder.next = null;
    }

    /**
     * Loop thread, once per pass: while sessions wait for a buffer and none can be had, closes the
     * holder that has held one longest, if for at least {@link #EVICT_AFTER_NS}: a few peers that
     * never read cannot starve every other session on the loop. Returns how many were evicted.
     */
    public int relieve(long nowNs) {
        int evicted = 0;
        while (!waiters.isEmpty() && !hasAvailable() && evictable(nowNs) && evicted < MAX_EVICTIONS_PER_PASS) {
            evict(oldest, nowNs); // releases its buffer, which goes to a waiter
            evicted++;
        }
        return evicted;
    }

    private void evict(Holder victim, long nowNs) {
        long earliest = nowNs - (MAX_EVICTIONS_PER_PASS - 1) * EVICTION_SPACING_NS;
        nextEvictionNs = (nextEvictionNs == Long.MIN_VALUE || nextEvictionNs - earliest < 0 ? earliest : nextEvictionNs)
                + EVICTION_SPACING_NS;
        victim.evict();
        if (victim.linked) {
            // An evict that did not release would find the same victim forever: unlink it ourselves.
            unlink(victim);
        }
        evictions++;
    }

    /** Holders closed to make room since the pool was made. Any thread. */
    public long evictions() {
        return evictions;
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
        // Waiters are relays whose sinks fell behind before: the reserve is not for them.
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
