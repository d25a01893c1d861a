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
}
