package lb.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.pool.Backend;
import lb.testing.Cleanup;
import lb.testing.Await;
import lb.testing.BlackHole;
import lb.testing.Client;
import lb.testing.EchoBackend;
import lb.testing.EchoFlows;
import lb.testing.ScriptedBackend;
import lb.testing.TestConfigs;

/**
 * Connect, idle and half-close timeouts fire no earlier than configured and not much later (the
 * timer wheel is coarse: 10 ms ticks; the upper bounds leave room for a loaded 2-core machine).
 */
class TimeoutTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(300);
    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(400);
    private static final Duration HALF_CLOSE_TIMEOUT = Duration.ofMillis(400);
    private static final long LATEST_MS = 1_500;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private static long millisSince(long startNs) {
        return (System.nanoTime() - startNs) / 1_000_000;
    }

    private static void assertWithin(long elapsedMs, long earliestMs, long latestMs, String what) {
        assertTrue(elapsedMs >= earliestMs && elapsedMs < latestMs,
                what + " after " + elapsedMs + " ms, expected within [" + earliestMs + ", " + latestMs + ") ms");
    }

    @Test
    void connectTimeoutClosesTheClientOnceItExpires() throws Exception {
        BlackHole hole = cleanup.track(BlackHole.open());
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(hole.address())
                .connectTimeout(CONNECT_TIMEOUT).retries(0).build()));

        long startNs = System.nanoTime();
        try (Client client = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
            client.readTimeout(Duration.ofSeconds(5));
            Client.End end = client.awaitEnd();
            assertWithin(millisSince(startNs), CONNECT_TIMEOUT.toMillis(), LATEST_MS, "client closed (" + end + ")");
        }
        Backend backend = daemon.pool(TestConfigs.POOL).snapshot().backend(0);
        assertEquals(1, backend.connectFailures(), "connect failures recorded for the silent backend");
        assertEquals(0, backend.activeSessions(), "sessions still counted on the silent backend");
    }

    /**
     * Until the backend is connected the daemon leaves the client's bytes in the kernel: reading
     * them would need a pending buffer per connecting session (and let a flood of connects to a
     * slow backend eat the pool).
     */
    @Test
    void clientBytesStayInTheKernelWhileTheBackendConnects() throws Exception {
        BlackHole hole = cleanup.track(BlackHole.open());
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(hole.address())
                .connectTimeout(CONNECT_TIMEOUT).retries(0).build()));

        try (Client client = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
            client.send(new byte[64 * 1024]);
            Await.until(() -> daemon.activeSessions() == 1, Duration.ofSeconds(2), "the session did not start");
            long maxPooled = 0;
            long deadlineNs = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (daemon.activeSessions() > 0 && System.nanoTime() < deadlineNs) { // ends at the connect timeout
                maxPooled = Math.max(maxPooled, daemon.pooledBytesInUse());
                LockSupport.parkNanos(1_000_000);
            }
            assertEquals(0, daemon.activeSessions(), "sessions left 5 s after a 300 ms connect timeout");
            assertEquals(0, maxPooled, "pooled bytes held while the backend was connecting");
            client.readTimeout(Duration.ofSeconds(5));
            client.awaitEnd();
        }
    }

    @Test
    void connectTimeoutWithARetryMovesOnToTheNextBackend() throws Exception {
        BlackHole hole = cleanup.track(BlackHole.open());
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(hole.address(), echo.address())
                .connectTimeout(CONNECT_TIMEOUT).retries(1).workers(1).build()));
        InetSocketAddress listener = daemon.listenerAddress(TestConfigs.LISTENER);

        // Round robin starts each session on the next backend, so of two sessions at least one
        // tries the silent backend first and must be moved on after the connect timeout.
        for (int i = 0; i < 2; i++) {
            List<EchoFlows.Result> results = EchoFlows.roundTrip(listener,
                    List.of(new EchoFlows.Spec(16 * 1024, 500 + i, 1024)), Duration.ofSeconds(5));
            assertEquals("", EchoFlows.failures(results), "session " + i);
        }
        Backend silent = daemon.pool(TestConfigs.POOL).snapshot().backend(0);
        assertTrue(silent.connectFailures() >= 1, "connect timeouts on the silent backend: " + silent.connectFailures());
        assertEquals(2, echo.accepted(), "connections the healthy backend accepted");
    }

    @Test
    void idleSessionIsClosedAfterTheIdleTimeout() throws Exception {
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(echo.address())
                .idleTimeout(IDLE_TIMEOUT).halfCloseTimeout(Duration.ZERO).build()));

        try (Client client = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
            // The daemon's last activity is after this instant (it relays the byte both ways).
            long lastTrafficNs = System.nanoTime();
            client.send(new byte[] {42});
            assertArrayEquals(new byte[] {42}, client.readExactly(1), "echo through the session");
            client.readTimeout(Duration.ofSeconds(5));
            Client.End end = client.awaitEnd();
            assertWithin(millisSince(lastTrafficNs), IDLE_TIMEOUT.toMillis(), LATEST_MS, "idle session closed (" + end + ")");
        }
        Await.until(() -> daemon.activeSessions() == 0, Duration.ofSeconds(2), "the idle session is gone");
    }

    @Test
    void sessionWithTrafficEvery100msOutlivesTheIdleTimeout() throws Exception {
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(echo.address())
                .idleTimeout(IDLE_TIMEOUT).halfCloseTimeout(Duration.ZERO).build()));

        try (Client client = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
            client.readTimeout(Duration.ofSeconds(2));
            long startNs = System.nanoTime();
            // Traffic pacing, not synchronisation: one byte every 100 ms for 1.2 s (3x the idle timeout).
            for (int i = 0; i <= 12; i++) {
                LockSupport.parkNanos(startNs + i * 100_000_000L - System.nanoTime());
                client.send(new byte[] {(byte) i});
                assertArrayEquals(new byte[] {(byte) i}, client.readExactly(1),
                        "echo " + i + " at " + millisSince(startNs) + " ms");
            }
            assertTrue(millisSince(startNs) >= 1_200, "the session lived through 1.2 s of sparse traffic");
            assertEquals(1, daemon.activeSessions(), "the session is still open");
        }
    }

    @Test
    void halfClosedSessionIsClosedAfterTheHalfCloseTimeout() throws Exception {
        // Greets, then reads the client's EOF and keeps its own direction open without a word.
        ScriptedBackend silent = cleanup.track(ScriptedBackend.start("silent", (socket, self) -> {
            socket.getOutputStream().write(7);
            while (socket.getInputStream().read() >= 0) {
                // discard until the client's EOF
            }
            self.awaitClose();
        }));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(silent.address())
                .idleTimeout(Duration.ZERO).halfCloseTimeout(HALF_CLOSE_TIMEOUT).build()));

        try (Client client = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
            assertArrayEquals(new byte[] {7}, client.readExactly(1), "greeting through the session");
            long halfClosedNs = System.nanoTime();
            client.shutdownOutput();
            client.readTimeout(Duration.ofSeconds(5));
            Client.End end = client.awaitEnd();
            assertWithin(millisSince(halfClosedNs), HALF_CLOSE_TIMEOUT.toMillis(), LATEST_MS,
                    "half-closed session closed (" + end + ")");
        }
        Await.until(() -> daemon.activeSessions() == 0, Duration.ofSeconds(2), "the half-closed session is gone");
        assertEquals(List.of(), silent.failures(), "backend script failures");
    }
}
