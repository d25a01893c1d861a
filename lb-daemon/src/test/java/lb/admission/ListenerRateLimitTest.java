package lb.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Test thread, and four worker threads where the test says so. The listener's token bucket on a
 * hand-advanced clock: the burst, then one token per interval, exactly, however many threads take.
 */
class ListenerRateLimitTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void burstThenOnePerIntervalOnOneThread() {
        ListenerRateLimit limit = new ListenerRateLimit(100, 20);
        int taken = 0;
        for (long t = 0; t <= 5 * SECOND; t += MS) {
            for (int i = 0; i < 3; i++) {
                taken += limit.tryTake(t) ? 1 : 0;
            }
        }
        assertEquals(20 + 500, taken);
    }

    @Test
    void aTokenGivenBackCanBeTakenAgainButIsNeverBankedPastAFullBucket() {
        ListenerRateLimit limit = new ListenerRateLimit(10, 2);
        assertTrue(limit.tryTake(0));
        assertTrue(limit.tryTake(0));
        assertFalse(limit.tryTake(0));
        limit.giveBack(0);
        assertTrue(limit.tryTake(0), "the returned token");
        assertFalse(limit.tryTake(0));
        // A full bucket stays at its burst: a token returned after it refilled is dropped.
        assertTrue(limit.tryTake(SECOND));
        limit.giveBack(10 * SECOND);
        int taken = 0;
        while (limit.tryTake(10 * SECOND)) {
            taken++;
        }
        assertEquals(2, taken, "the burst, not more");
    }

    @Test
    void aClockThatStartsAnywhereWorks() {
        ListenerRateLimit limit = new ListenerRateLimit(2, 1);
        long start = Long.MIN_VALUE / 2; // System.nanoTime() may be negative
        assertTrue(limit.tryTake(start));
        assertFalse(limit.tryTake(start));
        assertTrue(limit.tryTake(start + SECOND / 2));
    }

    @Test
    void burstThenOnePerIntervalOnFourThreads() throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 3; round++) {
                ListenerRateLimit limit = new ListenerRateLimit(100, 20);
                CyclicBarrier step = new CyclicBarrier(4);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Integer>> futures = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    futures.add(workers.submit(() -> {
                        start.await();
                        int taken = 0;
                        for (long t = 0; t <= 5 * SECOND; t += 10 * MS) {
                            step.await(30, TimeUnit.SECONDS); // all four take at the same clock reading
                            for (int i = 0; i < 3; i++) {
                                taken += limit.tryTake(t) ? 1 : 0;
                            }
                        }
                        return taken;
                    }));
                }
                start.countDown();
                int total = 0;
                for (Future<Integer> f : futures) {
                    total += f.get(60, TimeUnit.SECONDS);
                }
                assertEquals(20 + 500, total, "round " + round);
            }
        } finally {
            workers.shutdownNow();
            assertTrue(workers.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void nanosUntilNextTokenSaysWhenToTryAgain() {
        ListenerRateLimit limit = new ListenerRateLimit(100, 3); // a token each 10 ms
        long t0 = 7 * SECOND;
        assertEquals(0, limit.nanosUntilNextToken(t0), "full before the first take");
        for (int i = 0; i < 3; i++) {
            assertTrue(limit.tryTake(t0));
            assertEquals(i < 2 ? 0 : 10 * MS, limit.nanosUntilNextToken(t0));
        }
        assertFalse(limit.tryTake(t0));
        assertEquals(6 * MS, limit.nanosUntilNextToken(t0 + 4 * MS));
        assertFalse(limit.tryTake(t0 + 10 * MS - 1));
        assertEquals(1, limit.nanosUntilNextToken(t0 + 10 * MS - 1));
        assertEquals(0, limit.nanosUntilNextToken(t0 + 10 * MS));
        assertTrue(limit.tryTake(t0 + 10 * MS));
        assertEquals(10 * MS, limit.nanosUntilNextToken(t0 + 10 * MS));
        assertEquals(0, limit.nanosUntilNextToken(t0 + SECOND), "refilled");
        for (int i = 0; i < 3; i++) {
            assertTrue(limit.tryTake(t0 + SECOND), "the bucket holds no more than the burst");
        }
        assertFalse(limit.tryTake(t0 + SECOND));
    }

    @Test
    void aRateThatIsNotAWholeNumberOfNanoseconds() {
        // 333,333,333 ns a token. Burst 2, so that the bucket never sits full between the 1 ms
        // readings (with burst 1, each token would wait for the next reading and the slack be lost).
        ListenerRateLimit limit = new ListenerRateLimit(3, 2);
        int taken = 0;
        for (long t = 0; t <= 10 * SECOND; t += MS) {
            taken += limit.tryTake(t) ? 1 : 0;
        }
        assertEquals(2 + 30, taken);
    }

    @Test
    void badSettingsAreRefused() {
        assertEquals("rate must be a positive number per second, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new ListenerRateLimit(0, 1)).getMessage());
        assertEquals("rate must be a positive number per second, got Infinity",
                assertThrows(IllegalArgumentException.class,
                        () -> new ListenerRateLimit(Double.POSITIVE_INFINITY, 1)).getMessage());
        assertEquals("burst must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new ListenerRateLimit(10, 0)).getMessage());
    }
}
