package lb.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class BufferPoolTest {

    @Test
    void aHugeBoundCostsNoHeapUpFrontAndThePoolStillGrows() {
        BufferPool pool = new BufferPool(4096, Long.MAX_VALUE); // was an array of 2^31 slots: OOM
        assertEquals(4096L * (Integer.MAX_VALUE - 8), pool.maxBytes());
        java.util.List<java.nio.ByteBuffer> lent = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) { // past the first slots: the free list grows as buffers are made
            assertTrue(pool.hasAvailable());
            lent.add(pool.borrow());
        }
        for (java.nio.ByteBuffer b : lent) {
            pool.release(b);
        }
        assertEquals(0, pool.bytesInUse());
        for (int i = 0; i < 200; i++) {
            assertTrue(pool.hasAvailable(), "every buffer came back and is lent again");
            pool.borrow();
        }
    }

    @Test
    void poolNeverLendsMoreThanItsBound() {
        BufferPool pool = new BufferPool(1024, 4 * 1024);
        List<ByteBuffer> lent = new ArrayList<>();
        while (pool.hasAvailable()) {
            lent.add(pool.borrow());
        }
        assertEquals(4, lent.size());
        assertEquals(4 * 1024, pool.bytesInUse());
        assertEquals(pool.maxBytes(), pool.bytesInUse());
        assertThrows(IllegalStateException.class, pool::borrow);
    }

    @Test
    void returnedBufferIsReusedCleared() {
        BufferPool pool = new BufferPool(1024, 4 * 1024);
        assertTrue(pool.hasAvailable());
        ByteBuffer first = pool.borrow();
        first.put((byte) 7);
        pool.release(first);
        assertEquals(0, pool.bytesInUse());
        assertTrue(pool.hasAvailable());
        ByteBuffer again = pool.borrow();
        assertSame(first, again);
        assertEquals(0, again.position());
        assertEquals(1024, again.remaining());
        assertTrue(pool.hasAvailable());
        assertNotSame(again, pool.borrow());
    }

    @Test
    void waitersAreCalledBackWhenABufferReturnsAndClosedOnesAreSkipped() {
        BufferPool pool = new BufferPool(1024, 1024);
        assertTrue(pool.hasAvailable());
        ByteBuffer only = pool.borrow();
        assertFalse(pool.hasAvailable());
        List<String> calls = new ArrayList<>();
        pool.await(() -> {
            calls.add("closed");
            return false;
        });
        pool.await(() -> {
            calls.add("live");
            return true;
        });
        pool.await(() -> {
            calls.add("third");
            return true;
        });
        pool.release(only);
        assertEquals(List.of("closed", "live"), calls);
        assertTrue(pool.hasAvailable());
    }

    /** A holder that records its eviction and gives its buffer back, as a closing session does. */
    private static final class TestHolder extends BufferPool.Holder {
        final BufferPool pool;
        final String name;
        final List<String> evicted;
        ByteBuffer buffer;

        TestHolder(BufferPool pool, String name, List<String> evicted) {
            this.pool = pool;
            this.name = name;
            this.evicted = evicted;
        }

        void borrow(long nowNs) {
            buffer = pool.borrow(this, nowNs);
        }

        @Override
        protected void evict() {
            evicted.add(name);
            pool.release(buffer, this);
        }
    }

    @Test
    void theLastEighthIsKeptForSessionsThatHaveNotFallenBehind() {
        BufferPool pool = new BufferPool(1024, 16 * 1024);
        List<String> evicted = new ArrayList<>();
        int lent = 0;
        while (pool.hasAvailable()) {
            new TestHolder(pool, "bulk" + lent, evicted).borrow(0);
            lent++;
        }
        assertEquals(14, lent, "bulk transfers stop short of the reserve");
        assertTrue(pool.makeRoom(0));
        new TestHolder(pool, "newcomer1", evicted).borrow(0);
        assertTrue(pool.makeRoom(0));
        new TestHolder(pool, "newcomer2", evicted).borrow(0);
        assertEquals(pool.maxBytes(), pool.bytesInUse());
        assertFalse(pool.makeRoom(BufferPool.EVICT_AFTER_NS - 1), "nobody has held a buffer long enough to be closed");
        assertEquals(List.of(), evicted);
    }

    @Test
    void roomIsMadeByClosingTheLongestHolderOnceItHasHeldPastTheLimit() {
        BufferPool pool = new BufferPool(1024, 2 * 1024);
        List<String> evicted = new ArrayList<>();
        TestHolder first = new TestHolder(pool, "first", evicted);
        TestHolder second = new TestHolder(pool, "second", evicted);
        assertTrue(pool.makeRoom(0));
        first.borrow(0);
        assertTrue(pool.makeRoom(1_000));
        second.borrow(1_000);
        second.pool.release(second.buffer, second); // flushed: second goes to the back of the line
        assertTrue(pool.makeRoom(2_000));
        second.borrow(2_000);

        assertFalse(pool.makeRoom(BufferPool.EVICT_AFTER_NS - 1));
        assertTrue(pool.makeRoom(BufferPool.EVICT_AFTER_NS));
        assertEquals(List.of("first"), evicted, "the one that held its buffer longest");
        assertEquals(1, pool.evictions());
        assertEquals(1024, pool.bytesInUse());
    }

    @Test
    void waitingBulkTransfersGetRoomFromHoldersPastTheLimitAFewAtATime() {
        BufferPool pool = new BufferPool(1024, 40 * 1024); // reserve: 5
        List<String> evicted = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            assertTrue(pool.makeRoom(i));
            new TestHolder(pool, "stalled" + i, evicted).borrow(i);
        }
        List<String> woken = new ArrayList<>();
        pool.await(() -> woken.add("bulk"));
        assertEquals(0, pool.relieve(BufferPool.EVICT_AFTER_NS - 1), "no holder is past the limit yet");
        int closed = pool.relieve(BufferPool.EVICT_AFTER_NS + 100);
        assertEquals(6, closed, "enough to free one buffer beyond the reserve");
        assertEquals(List.of("stalled0", "stalled1", "stalled2", "stalled3", "stalled4", "stalled5"), evicted);
        assertTrue(pool.hasAvailable());
        assertEquals(List.of("bulk"), woken);
    }

    @Test
    void evictionsComeInBurstsOfSixteenThenOnePerMillisecond() {
        BufferPool pool = new BufferPool(1024, 64 * 1024);
        List<String> evicted = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            assertTrue(pool.makeRoom(0));
            new TestHolder(pool, "stalled" + i, evicted).borrow(0);
        }
        long t = BufferPool.EVICT_AFTER_NS;
        int made = 0;
        for (int i = 0; i < 40; i++) {
            if (pool.makeRoom(t)) {
                new TestHolder(pool, "newcomer" + i, evicted).borrow(t);
                made++;
            }
        }
        assertEquals(16, made, "a burst, not all at once: each is an RST the loop pays for");
        assertFalse(pool.makeRoom(t + BufferPool.EVICTION_SPACING_NS - 1));
        assertTrue(pool.makeRoom(t + BufferPool.EVICTION_SPACING_NS), "then one per spacing");
        assertEquals(17, pool.evictions());
    }
}
