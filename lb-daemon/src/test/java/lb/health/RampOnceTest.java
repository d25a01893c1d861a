package lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.balance.Balancers;
import lb.config.ActiveCheck;
import lb.config.BackendConfig;
import lb.config.BalancerOptions;
import lb.config.HealthConfig;
import lb.config.PassiveCheck;
import lb.config.PoolConfig;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.HealthState;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.EchoBackend;
import lb.testing.TestConfigs;

/**
 * A backend that is both DOWN (active checks) and ejected (passive checks) is back only when it is
 * back from both, and slow start ramps it then, once: not when the first of the two ends (the
 * ramp would run while it is still out, and restart at the second), and not zero times.
 */
class RampOnceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration SLOW_START = Duration.ofSeconds(30);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** One echoed byte; returns whether it came back. */
    private static boolean session(InetSocketAddress listener) {
        try (Client client = Client.connect(listener)) {
            client.readTimeout(Duration.ofSeconds(5));
            client.send(new byte[] {1});
            return client.readExactly(1)[0] == 1;
        } catch (IOException | AssertionError e) {
            return false;
        }
    }

    @Test
    void backendBackFromDownAndFromEjectionRampsOnce() throws Exception {
        EchoBackend steady = cleanup.track(EchoBackend.start("steady"));
        EchoBackend flaky = cleanup.track(EchoBackend.start("flaky"));
        int port = flaky.address().getPort();
        HealthConfig health = new HealthConfig(new ActiveCheck(ActiveCheck.Type.TCP, Duration.ofMillis(50),
                Duration.ofMillis(25), 1, 1, 0, "/", null, 200, 399, null, null, true),
                new PassiveCheck(3, Duration.ofMillis(300), Duration.ofMillis(300), 50), 0, SLOW_START);
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(steady.address(), flaky.address())
                .algorithm("weighted_round_robin").workers(1).health(health).build()));
        BackendPool pool = daemon.pool(TestConfigs.POOL);
        Backend b = pool.snapshot().backend(1);

        flaky.close();
        Await.until(() -> b.healthState() == HealthState.DOWN, WAIT, "active checks did not take it DOWN");
        for (int i = 0; i < 3; i++) {
            b.onSessionFailed(); // what the loops report for sessions that failed on it
        }
        Await.until(b::isEjected, WAIT, "passive checks did not eject it");

        cleanup.track(EchoBackend.start("flaky", port));
        Await.until(() -> b.healthState() == HealthState.UP, WAIT, "active checks did not take it UP");
        assertTrue(b.isEjected(), "a trial session must end the ejection, and none was sent");
        assertEquals(0, b.ramps(), "UP but still ejected: not back, no ramp yet");

        // The ejection runs out: half-open, the backend may take one trial session.
        Await.until(b::isUsable, WAIT, "no half-open trial");
        InetSocketAddress listener = daemon.listenerAddress(TestConfigs.LISTENER);
        for (int i = 0; i < 20 && b.totalSessions() == 0; i++) {
            assertTrue(session(listener), "session " + i);
        }
        assertEquals(1, b.totalSessions(), "its trial session");
        Await.until(() -> !b.isEjected(), WAIT, "the trial did not end the ejection");
        assertFalse(b.isEjected(), "the ejection did not end");
        long nowNs = System.nanoTime();
        assertEquals(1, b.ramps(), "back from DOWN and from ejection: one ramp");
        assertTrue(b.isRamping(nowNs), "back: ramping");
        assertTrue(b.effectiveWeight(nowNs) < Backend.WEIGHT_UNIT / 2, "near the start of its ramp");
        Await.until(() -> pool.snapshot().weight(1) < pool.snapshot().weight(0), WAIT,
                "the ramped weight is not published");
    }

    /**
     * The other order, which only panic allows: the trial (taken in panic, while DOWN) ends the
     * ejection first. The backend is not back while DOWN, so that does not ramp it; active checks
     * taking it UP later do (the path of any backend coming back UP).
     */
    @Test
    void ejectionEndingWhileDownDoesNotRamp() throws Exception {
        List<BackendConfig> configs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            configs.add(new BackendConfig("b" + i, new InetSocketAddress("127.1.0." + (i + 1), 80), 1));
        }
        long ejectionNs = Duration.ofSeconds(1).toNanos();
        BackendPool pool = new BackendPool(new PoolConfig("test", "weighted_round_robin", 2, null, null, null, configs,
                BalancerOptions.DEFAULTS, new HealthConfig(null, new PassiveCheck(1, Duration.ofNanos(ejectionNs),
                Duration.ofNanos(ejectionNs), 50), 50, SLOW_START)), 1, Balancers::prepare);
        HealthChecker checker = cleanup.track(HealthChecker.start(List.of()));
        OutlierDetector detector = new OutlierDetector(pool, checker);
        Backend b = pool.snapshot().backend(0);

        b.changeHealthState(HealthState.DOWN);
        b.onSessionFailed();
        long nowNs = 0;
        detector.run(nowNs);
        assertTrue(b.isEjected());
        detector.run(nowNs += ejectionNs);
        pool.poolHealth().panic(true); // 1 of 2 usable
        assertTrue(b.tryPlace(), "in panic the DOWN, ejected backend takes a session");
        b.onSessionSucceeded();
        b.onSessionReleased();
        detector.run(nowNs += 20_000_000L);
        assertFalse(b.isEjected(), "the trial passed");
        assertEquals(0, b.ramps(), "still DOWN: not back, no ramp");
        assertFalse(b.isRamping(nowNs));
    }
}
