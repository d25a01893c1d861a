package lb.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Test thread and one event loop. A fault injected into a timer callback on a running loop (a
 * test-only timer that throws) does not end the loop: later timers fire and tasks still run.
 */
class EventLoopTimerFaultTest {

    @Test
    void aThrowingTimerCallbackLeavesTheLoopRunning() throws Exception {
        EventLoop loop = new EventLoop(0, NanoClock.SYSTEM, 4096, 1 << 20);
        loop.start();
        try {
            CountDownLatch failed = new CountDownLatch(1);
            CountDownLatch laterFired = new CountDownLatch(1);
            assertTrue(loop.submit(() -> {
                long nowNs = loop.nowNs();
                loop.timers().schedule(new TimerWheel.Timer() {
                    @Override
                    protected void onTimeout(long now) {
                        throw new IllegalStateException("injected timer fault");
                    }

                    @Override
                    protected void onTimeoutFailed(Throwable cause) {
                        failed.countDown();
                    }
                }, nowNs + TimeUnit.MILLISECONDS.toNanos(20));
                loop.timers().schedule(new TimerWheel.Timer() {
                    @Override
                    protected void onTimeout(long now) {
                        laterFired.countDown();
                    }
                }, nowNs + TimeUnit.MILLISECONDS.toNanos(60));
            }));
            assertTrue(failed.await(10, TimeUnit.SECONDS), "the failing timer was told");
            assertTrue(laterFired.await(10, TimeUnit.SECONDS), "a later timer still fired");
            CountDownLatch taskRan = new CountDownLatch(1);
            assertTrue(loop.submit(taskRan::countDown));
            assertTrue(taskRan.await(10, TimeUnit.SECONDS), "the loop still runs tasks");
            CountDownLatch counted = new CountDownLatch(1);
            long[] failures = new long[1];
            loop.submit(() -> {
                failures[0] = loop.timers().failures();
                counted.countDown();
            });
            assertTrue(counted.await(10, TimeUnit.SECONDS));
            assertEquals(1, failures[0]);
        } finally {
            loop.stop();
            assertTrue(loop.awaitTermination(Duration.ofSeconds(5)));
        }
    }
}
