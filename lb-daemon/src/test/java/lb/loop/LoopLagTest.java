package lb.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.stats.PrometheusText;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.EchoBackend;
import lb.testing.TestConfigs;

/**
 * Test thread. A loop held up by one long pass shows it as lag at once (the pass still running)
 * and for the next second or two (the longest pass of the last second); a loop that is merely busy
 * with short passes, or idle, shows next to none.
 */
class LoopLagTest {

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @Test
    void aLongPassShowsAsLagWhileItRunsAndAfter() throws Exception {
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(echo.address()).workers(1).build()));
        EventLoop loop = daemon.eventLoops().get(0);
        for (int i = 0; i < 20; i++) { // short passes: sessions that echo
            try (Client c = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
                c.send(new byte[] {(byte) i});
                assertArrayEquals(new byte[] {(byte) i}, c.readExactly(1));
            }
        }
        assertTrue(lagSeconds(daemon) < 0.2, "no long pass yet: " + lagSeconds(daemon));

        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        assertTrue(loop.submit(() -> { // the fault under test: a pass that does not return
            inside.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertTrue(inside.await(5, TimeUnit.SECONDS));
        long held = System.nanoTime();
        Await.until(() -> loop.lagNs(System.nanoTime()) >= 300_000_000L, Duration.ofSeconds(5),
                () -> "the running pass shows: " + loop.lagNs(System.nanoTime()));
        release.countDown();
        long heldNs = System.nanoTime() - held;

        // The pass has ended; the longest of the last second still shows in the report and the metric.
        Await.until(() -> lagSeconds(daemon) >= 0.3, Duration.ofSeconds(5), () -> "published: " + lagSeconds(daemon));
        assertTrue(lagSeconds(daemon) <= heldNs / 1e9 + 1, "not more than it was held");
        assertTrue(PrometheusText.render(daemon.stats()).matches("(?s).*\nlb_loop_lag_seconds\\{loop=\"0\"} 0\\.[3-9].*"),
                "the gauge an alert reads");
        Await.until(() -> lagSeconds(daemon) < 0.2, Duration.ofSeconds(10), () -> "gone after a few quiet seconds: "
                + lagSeconds(daemon));
    }

    private static double lagSeconds(Daemon daemon) {
        Map<?, ?> process = (Map<?, ?>) daemon.stats().get("process");
        Map<?, ?> loop0 = (Map<?, ?>) ((List<?>) process.get("loops")).get(0);
        return ((Number) loop0.get("lag_seconds")).doubleValue();
    }
}
