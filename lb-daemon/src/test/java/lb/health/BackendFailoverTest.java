package lb.health;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.config.ActiveCheck;
import lb.config.HealthConfig;
import lb.pool.Backend;
import lb.pool.HealthState;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.EchoBackend;
import lb.testing.TestConfigs;

/**
 * A backend killed under load and started again: detected by active checks within
 * {@code fall × interval + timeout}, clients never see it fail (retries), back after {@code rise}
 * passes, and slow start visible in where sessions go.
 */
class BackendFailoverTest {

    private static final long INTERVAL_MS = 100;
    private static final long TIMEOUT_MS = 50;
    private static final int RISE = 3;
    private static final int FALL = 2;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** Sequential echo sessions from its own thread, bounded in time, counting failures. */
    private static final class Load implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger failures = new AtomicInteger();
        final AtomicLong sessions = new AtomicLong();
        /** Sessions that failed although they started after this nanoTime (set at the kill). */
        final AtomicLong killedNs = new AtomicLong(Long.MAX_VALUE);
        final AtomicInteger failuresAfterKill = new AtomicInteger();
        final Thread thread;

        Load(InetSocketAddress target, Duration limit) {
            long endNs = System.nanoTime() + limit.toNanos();
            thread = new Thread(() -> {
                byte[] ping = {7};
                while (running.get() && System.nanoTime() < endNs) {
                    long startNs = System.nanoTime();
                    try (Client client = Client.connect(target)) {
                        client.send(ping);
                        assertArrayEquals(ping, client.readExactly(1));
                        sessions.incrementAndGet();
                    } catch (Exception | AssertionError e) {
                        failures.incrementAndGet();
                        if (startNs > killedNs.get()) {
                            failuresAfterKill.incrementAndGet();
                        }
                    }
                }
            }, "load");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }

    private static long msSince(long ns) {
        return (System.nanoTime() - ns) / 1_000_000;
    }

    @Test
    void killedBackendIsDetectedAvoidedAndComesBackWithSlowStart() throws Exception {
        EchoBackend steady = cleanup.track(EchoBackend.start("steady"));
        EchoBackend victim = EchoBackend.start("victim");
        int victimPort = victim.address().getPort();
        HealthConfig health = new HealthConfig(new ActiveCheck(ActiveCheck.Type.TCP, Duration.ofMillis(INTERVAL_MS),
                Duration.ofMillis(TIMEOUT_MS), RISE, FALL, 0, "/", null, 200, 399, null, null, false), null, 0,
                Duration.ofSeconds(3));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(steady.address(), victim.address())
                .algorithm("weighted_round_robin").retries(1).workers(1).health(health).build()));
        Backend steadyBackend = daemon.pool(TestConfigs.POOL).snapshot().backend(0);
        Backend victimBackend = daemon.pool(TestConfigs.POOL).snapshot().backend(1);
        Await.until(() -> steadyBackend.healthState() == HealthState.UP && victimBackend.healthState() == HealthState.UP,
                Duration.ofSeconds(5), "backends did not come up");
        InetSocketAddress listener = daemon.listenerAddress(TestConfigs.LISTENER);

        Load load = cleanup.track(new Load(listener, Duration.ofSeconds(20)));
        Await.until(() -> victimBackend.totalSessions() > 20, Duration.ofSeconds(5), "no load on the victim");
        victim.close();
        long killedNs = System.nanoTime();
        load.killedNs.set(killedNs); // a session open on the victim at the kill breaks; none after may
        Await.until(() -> victimBackend.healthState() == HealthState.DOWN, Duration.ofSeconds(5), "not detected");
        long detectedMs = msSince(killedNs);
        // fall probes after the kill, the first within one interval (+10% jitter), plus its timeout.
        long boundMs = FALL * INTERVAL_MS * 11 / 10 + TIMEOUT_MS + 300;
        assertTrue(detectedMs <= boundMs, "detected " + detectedMs + " ms after the kill (bound " + boundMs + ")");
        long placedAtDetection = victimBackend.totalSessions();
        long servedAtDetection = load.sessions.get();
        Await.until(() -> load.sessions.get() >= servedAtDetection + 50, Duration.ofSeconds(10), "load stalled");
        assertEquals(placedAtDetection, victimBackend.totalSessions(), "sessions placed on the DOWN backend");

        EchoBackend restarted = cleanup.track(EchoBackend.start("victim", victimPort));
        long restartedNs = System.nanoTime();
        Await.until(() -> victimBackend.healthState() == HealthState.UP, Duration.ofSeconds(5), "not back");
        long backMs = msSince(restartedNs);
        assertTrue(backMs >= (RISE - 1) * INTERVAL_MS - 10, "UP " + backMs + " ms after restart: before " + RISE
                + " passes");
        assertTrue(backMs <= RISE * INTERVAL_MS * 11 / 10 + 300, "UP only " + backMs + " ms after restart");

        // Slow start: right after coming back the victim takes a small share of the new sessions;
        // once the ramp is over, its full half.
        long victimBefore = victimBackend.totalSessions();
        long steadyBefore = steadyBackend.totalSessions();
        Await.until(() -> victimBackend.totalSessions() + steadyBackend.totalSessions() >= victimBefore + steadyBefore
                + 40, Duration.ofSeconds(5), "load stalled");
        long earlyVictim = victimBackend.totalSessions() - victimBefore;
        long earlyAll = earlyVictim + steadyBackend.totalSessions() - steadyBefore;
        Await.until(() -> !victimBackend.isRamping(System.nanoTime()), Duration.ofSeconds(6), "still ramping");
        Await.until(() -> daemon.pool(TestConfigs.POOL).snapshot().weight(1) == daemon.pool(TestConfigs.POOL)
                .snapshot().weight(0), Duration.ofSeconds(2), "full weights not published");
        long lateVictim = victimBackend.totalSessions();
        long lateSteady = steadyBackend.totalSessions();
        Await.until(() -> victimBackend.totalSessions() + steadyBackend.totalSessions() >= lateVictim + lateSteady + 40,
                Duration.ofSeconds(5), "load stalled");
        long lateShareVictim = victimBackend.totalSessions() - lateVictim;
        long lateAll = lateShareVictim + steadyBackend.totalSessions() - lateSteady;
        load.close();

        double early = (double) earlyVictim / earlyAll;
        double late = (double) lateShareVictim / lateAll;
        assertTrue(early < 0.3, "share of the restarted backend right after it came back: " + early
                + " (" + earlyVictim + " of " + earlyAll + ")");
        assertTrue(late > 0.4, "share after the ramp: " + late + " (" + lateShareVictim + " of " + lateAll + ")");
        assertEquals(0, load.failuresAfterKill.get(), "client sessions started after the kill that failed (retries = 1); "
                + load.failures.get() + " failed in all, counting those open on the victim when it died");
        assertTrue(restarted.accepted() > 0);
    }
}
