package lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.balance.Balancers;
import lb.config.ActiveCheck;
import lb.config.BackendConfig;
import lb.config.BalancerOptions;
import lb.config.HealthConfig;
import lb.config.PoolConfig;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.HealthState;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.LogCapture;
import lb.testing.TestConfigs;

/**
 * With {@code initial_state = "down"} every backend starts DOWN: a pool is not in panic before its
 * first probe round is over, and until then it serves only from backends whose first probe passed
 * (none: it refuses the client). A backend still waiting for its first probe is never picked, not
 * even in panic, and panic mode counts it neither as usable nor as failing.
 */
class FirstProbeRoundTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern PANIC = Pattern.compile("pool " + TestConfigs.POOL + ": PANIC");

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** HTTP checks, rise = fall = 1, initially DOWN, panic below {@code panicPercent}. */
    private static HealthConfig initiallyDown(long intervalMs, int panicPercent) {
        return new HealthConfig(new ActiveCheck(ActiveCheck.Type.HTTP, Duration.ofMillis(intervalMs),
                Duration.ofMillis(intervalMs / 2), 1, 1, 0, "/", null, 200, 399, new byte[0], new byte[0], false),
                null, panicPercent, Duration.ZERO);
    }

    @Test
    void noPanicBeforeTheFirstRoundAndThePoolServesOnceProbesPass() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ProbeServer.Reply ok = ProbeServer.http(200);
        ProbeServer.Reply held = socket -> {
            try {
                release.await(8, TimeUnit.SECONDS); // holds the first probe's answer (timeout 10 s)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ok.handle(socket);
        };
        ProbeServer live1 = cleanup.track(ProbeServer.start(0, held));
        ProbeServer live2 = cleanup.track(ProbeServer.start(0, held));
        ProbeServer failing = cleanup.track(ProbeServer.start(0, ProbeServer.http(503)));
        try (LogCapture log = LogCapture.start()) {
            // Interval 20 s: only the first probes matter here.
            Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(live1.address(), live2.address(),
                    failing.address()).retries(0).health(initiallyDown(20_000, 50)).build()));
            BackendPool pool = daemon.pool(TestConfigs.POOL);
            Backend b1 = pool.snapshot().backend(0);
            Backend b2 = pool.snapshot().backend(1);
            Backend b3 = pool.snapshot().backend(2);
            // Every first probe is out, and the failing backend's verdict is in (0 of 1 checked
            // backends usable), while the live ones' answers are held: the first round is not over.
            Await.until(() -> !live1.acceptedNs().isEmpty() && !live2.acceptedNs().isEmpty()
                    && !failing.acceptedNs().isEmpty() && !b3.awaitingFirstCheck(), WAIT, "first probes not out");
            assertTrue(b1.awaitingFirstCheck() && b2.awaitingFirstCheck(), "the live backends' answers are held");
            try (Client client = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
                client.readTimeout(Duration.ofSeconds(5));
                assertEquals(Client.End.EOF, client.awaitEnd(), "no backend passed a probe yet: refused");
            }
            assertFalse(pool.poolHealth().panic(), "in panic before the first probe round was over");
            assertEquals(List.of(), log.lines(PANIC), "PANIC logged before the first probe round was over");
            assertEquals(0, b1.totalSessions() + b2.totalSessions() + b3.totalSessions(),
                    "a session went to a backend whose first probe had not passed");
            assertEquals(1, pool.sessionsRefused());

            release.countDown();
            Await.until(() -> b1.healthState() == HealthState.UP && b2.healthState() == HealthState.UP, WAIT,
                    "the live backends did not come UP");
            for (int i = 0; i < 4; i++) {
                try (Client client = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
                    client.send("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertEquals("HTTP/1.0 200", new String(client.readExactly(12), StandardCharsets.US_ASCII),
                            "session " + i + " once the probes passed");
                }
            }
            assertEquals(4, b1.totalSessions() + b2.totalSessions());
            assertEquals(0, b3.totalSessions(), "the backend whose probe failed");
            assertFalse(pool.poolHealth().panic(), "2 of 3 usable is not below 50%");
            assertEquals(List.of(), log.lines(PANIC), "PANIC logged");
        }
    }

    /** PanicMode alone, on a pool nobody else touches: what it counts before and after the first round. */
    @Test
    void panicWaitsForTheFirstRoundAndThenIgnoresBackendsNotYetChecked() {
        List<BackendConfig> configs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            configs.add(new BackendConfig("b" + i, new InetSocketAddress("127.1.0." + (i + 1), 80), 1));
        }
        BackendPool pool = new BackendPool(new PoolConfig("test", "round_robin", 2, null, null, null, configs,
                BalancerOptions.DEFAULTS, initiallyDown(1_000, 50)), 1, Balancers::prepare);
        List<Backend> backends = pool.snapshot().backends();
        PanicMode panic = new PanicMode(pool);
        long nowNs = 0;
        panic.run(nowNs);
        assertFalse(pool.poolHealth().panic(), "every backend DOWN only because none was checked yet");
        for (Backend b : backends) {
            assertTrue(b.awaitingFirstCheck());
            assertFalse(b.isEligible(), "not checked yet: not picked");
        }

        backends.get(0).firstCheckDone(); // its first probe failed: DOWN, now for a reason
        panic.run(nowNs += 20_000_000L);
        assertFalse(pool.poolHealth().panic(), "one verdict of four is not a probe round");

        backends.get(1).changeHealthState(HealthState.UP);
        for (Backend b : backends) {
            b.firstCheckDone();
        }
        panic.run(nowNs += 20_000_000L);
        assertTrue(pool.poolHealth().panic(), "1 of 4 usable after the first round: panic");
        assertTrue(backends.get(2).isEligible(), "in panic a checked DOWN backend is picked");

        Backend added = pool.add(new BackendConfig("late", new InetSocketAddress("127.1.0.9", 80), 1));
        assertTrue(added.awaitingFirstCheck(), "an added backend waits for its first probe");
        assertFalse(added.isEligible(), "not picked before its first probe, not even in panic");
        backends.get(2).changeHealthState(HealthState.UP);
        panic.run(nowNs += 20_000_000L);
        assertFalse(pool.poolHealth().panic(), "2 of the 4 checked backends usable (the new one counts neither way)");
    }
}
