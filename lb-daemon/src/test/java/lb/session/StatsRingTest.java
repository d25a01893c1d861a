package lb.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

/** Test thread only (it plays both the loop and the aggregator). */
class StatsRingTest {

    @Test
    void aFullRingDropsAndCountsAndRecycledSlotsComeBack() {
        StatsRing ring = new StatsRing(4);
        SessionEvent[] claimed = new SessionEvent[4];
        for (int i = 0; i < 4; i++) {
            claimed[i] = ring.claim();
            assertNotNull(claimed[i]);
            claimed[i].up = i;
            claimed[i].end = Termination.COMPLETED;
            ring.publish(claimed[i]);
        }
        assertNull(ring.claim(), "every slot in flight");
        assertNull(ring.claim());
        assertEquals(2, ring.dropped());
        for (int i = 0; i < 4; i++) {
            SessionEvent e = ring.poll();
            assertSame(claimed[i], e, "in order");
            assertEquals(i, e.up);
            ring.recycle(e);
            assertNull(e.end, "a recycled slot holds no references");
        }
        assertNull(ring.poll());
        assertNotNull(ring.claim(), "slots came back");
        assertEquals(2, ring.dropped());
    }

    @Test
    void publishingAndDrainingAllocateNothing() {
        StatsRing ring = new StatsRing(1024);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        cycle(ring, 50_000); // warm up: class loading, and the JIT may allocate while compiling
        long before = threads.getThreadAllocatedBytes(id);
        cycle(ring, 100_000);
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        // An on-stack replacement may still allocate a few bytes once; per event it would be ≥ 1.6 MB.
        assertTrue(allocated < 4096, allocated + " bytes allocated over 100k publish/drain cycles");
    }

    private static void cycle(StatsRing ring, int times) {
        for (int i = 0; i < times; i++) {
            SessionEvent e = ring.claim();
            e.up = i;
            e.end = Termination.COMPLETED;
            ring.publish(e);
            ring.recycle(ring.poll());
        }
    }
}
