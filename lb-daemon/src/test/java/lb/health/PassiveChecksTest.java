package lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.config.ActiveCheck;
import lb.config.HealthConfig;
import lb.config.PassiveCheck;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.DeadPort;
import lb.testing.EchoBackend;
import lb.testing.ScriptedBackend;
import lb.testing.TestConfigs;

/** Passive ejection with real failing backends; max_ejection_percent; panic mode. */
class PassiveChecksTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** One session: a byte each way if the backend echoes; returns whether it was echoed. */
    private static boolean session(InetSocketAddress listener) throws IOException {
        // A backend that resets may have done so before the connect returned or this byte went out.
        try (Client client = Client.connect(listener)) {
            client.readTimeout(Duration.ofSeconds(5));
            client.send(new byte[] {1});
            return client.readExactly(1)[0] == 1;
        } catch (IOException | AssertionError e) {
            return false;
        }
    }

    /** Runs sessions one by one (each over before the next) until {@code done} holds; at most {@code max}. */
    private static void sessionsUntil(Daemon daemon, java.util.function.BooleanSupplier done, int max) throws IOException {
        InetSocketAddress listener = daemon.listenerAddress(TestConfigs.LISTENER);
        for (int i = 0; i < max && !done.getAsBoolean(); i++) {
            session(listener);
            Await.until(() -> daemon.activeSessions() == 0, WAIT, "a session is still open");
        }
        assertTrue(done.getAsBoolean(), "not reached within " + max + " sessions");
    }

    private static long msSince(long ns) {
        return (System.nanoTime() - ns) / 1_000_000;
    }

    @Test
    void resettingBackendIsEjectedAfterTheFailuresThenHalfOpenWithDoublingEjections() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(false);
        ScriptedBackend flaky = cleanup.track(ScriptedBackend.start("flaky", (socket, self) -> {
            if (!healthy.get()) {
                socket.setSoLinger(true, 0); // accept, then reset at once
                socket.close();
                return;
            }
            int b = socket.getInputStream().read();
            socket.getOutputStream().write(b);
            while (socket.getInputStream().read() >= 0) {
                // until the client is done
            }
        }));
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        HealthConfig health = new HealthConfig(null, new PassiveCheck(3, Duration.ofMillis(400), Duration.ofSeconds(10),
                50), 0, Duration.ZERO);
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(flaky.address(), echo.address())
                .retries(1).workers(1).health(health).build()));
        Backend backend = daemon.pool(TestConfigs.POOL).snapshot().backend(0);

        sessionsUntil(daemon, () -> backend.consecutiveFailures() >= 3, 20);
        Await.until(backend::isEjected, WAIT, "not ejected after 3 failures");
        long ejectedNs = System.nanoTime();
        assertEquals(3, flaky.accepted(), "sessions the flaky backend got before its ejection");
        InetSocketAddress listener = daemon.listenerAddress(TestConfigs.LISTENER);
        for (int i = 0; i < 6; i++) {
            assertTrue(session(listener), "session " + i + " while ejected");
        }
        assertEquals(3, flaky.accepted(), "sessions that reached the ejected backend");

        Await.until(backend::isUsable, WAIT, "never half-open");
        long firstMs = msSince(ejectedNs);
        assertTrue(firstMs >= 350 && firstMs <= 700, "first ejection lasted " + firstMs + " ms (400 configured)");

        // The trial session resets too: ejected again, for twice as long.
        sessionsUntil(daemon, () -> flaky.accepted() == 4, 10);
        long trialNs = System.nanoTime();
        assertFalse(backend.isUsable(), "the trial is taken");
        Await.until(backend::isUsable, WAIT, "never half-open again");
        long secondMs = msSince(trialNs);
        assertEquals(2, backend.ejections(), "ejections counted");
        assertTrue(secondMs >= 700 && secondMs <= 1_200, "second ejection lasted " + secondMs + " ms (800 expected)");

        // Fixed: the next trial passes and the backend is back in rotation.
        healthy.set(true);
        sessionsUntil(daemon, () -> flaky.accepted() == 5, 10);
        Await.until(() -> !backend.isEjected(), WAIT, "a passed trial did not bring it back");
        long before = flaky.accepted();
        for (int i = 0; i < 6; i++) {
            assertTrue(session(listener), "session " + i + " after the return");
        }
        assertTrue(flaky.accepted() >= before + 2, "sessions after the return: " + (flaky.accepted() - before));
    }

    @Test
    void neverMoreThanMaxEjectionPercentIsEjected() throws Exception {
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        List<InetSocketAddress> addresses = new ArrayList<>(List.of(DeadPort.allocate(), DeadPort.allocate(),
                DeadPort.allocate(), echo.address()));
        HealthConfig health = new HealthConfig(null, new PassiveCheck(2, Duration.ofSeconds(30), Duration.ofSeconds(60),
                50), 0, Duration.ZERO);
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(addresses).retries(3).workers(1)
                .health(health).build()));
        BackendPool pool = daemon.pool(TestConfigs.POOL);
        InetSocketAddress listener = daemon.listenerAddress(TestConfigs.LISTENER);
        for (int i = 0; i < 30; i++) {
            assertTrue(session(listener), "session " + i + ": retries reach the one working backend");
        }
        Await.until(() -> ejected(pool) == 2, WAIT, () -> "ejected: " + ejected(pool));
        for (int i = 0; i < 30; i++) {
            assertTrue(session(listener), "more session " + i);
        }
        Await.until(() -> pool.snapshot().backends().stream().filter(b -> !b.isEjected())
                .filter(b -> b != pool.snapshot().backend(3)).allMatch(b -> b.consecutiveFailures() >= 2),
                WAIT, "the failing backend left in kept failing");
        assertEquals(2, ejected(pool), "3 of 4 backends failing, max_ejection_percent 50");
        assertFalse(pool.snapshot().backend(3).isEjected(), "the working backend");
    }

    private static long ejected(BackendPool pool) {
        return pool.snapshot().backends().stream().filter(Backend::isEjected).count();
    }

    @Test
    void panicModePicksAmongAllWhenTooFewAreHealthyAndEndsWhenTheyRecover() throws Exception {
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        List<InetSocketAddress> dead = List.of(DeadPort.allocate(), DeadPort.allocate(), DeadPort.allocate());
        List<InetSocketAddress> addresses = new ArrayList<>(dead);
        addresses.add(echo.address());
        HealthConfig health = new HealthConfig(new ActiveCheck(ActiveCheck.Type.TCP, Duration.ofMillis(50),
                Duration.ofMillis(25), 1, 1, 0, "/", null, 200, 399, null, null, false), null, 50, Duration.ZERO);
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(addresses).retries(3).workers(1)
                .health(health).build()));
        BackendPool pool = daemon.pool(TestConfigs.POOL);
        Await.until(() -> pool.snapshot().backend(3).isHealthyAndNotEjected() && pool.poolHealth().panic(), WAIT,
                "1 of 4 healthy (25% < 50%): no panic");
        InetSocketAddress listener = daemon.listenerAddress(TestConfigs.LISTENER);
        for (int i = 0; i < 20; i++) {
            assertTrue(session(listener), "session " + i + " in panic: retries reach the working backend");
        }
        long triedDown = pool.snapshot().backends().subList(0, 3).stream().mapToLong(Backend::totalSessions).sum();
        assertTrue(triedDown > 0, "in panic the DOWN backends are picked too");

        List<EchoBackend> revived = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            revived.add(cleanup.track(EchoBackend.start("revived-" + i, dead.get(i).getPort())));
        }
        Await.until(() -> !pool.poolHealth().panic(), WAIT, "3 of 4 healthy: still in panic");
        long downBefore = pool.snapshot().backend(2).totalSessions();
        for (int i = 0; i < 20; i++) {
            assertTrue(session(listener), "session " + i + " after panic");
        }
        assertEquals(downBefore, pool.snapshot().backend(2).totalSessions(), "the DOWN backend out of panic");
    }
}
