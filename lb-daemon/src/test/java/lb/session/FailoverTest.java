package lb.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.pool.Backend;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.DeadPort;
import lb.testing.EchoBackend;
import lb.testing.EchoFlows;
import lb.testing.TestConfigs;

/** A refused connect moves the session to another backend; with none left the client is told at once. */
class FailoverTest {

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private static Backend backend(Daemon daemon, String name) {
        for (Backend b : daemon.pool(TestConfigs.POOL).snapshot().backends()) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        throw new AssertionError("no backend " + name);
    }

    @Test
    void deadBackendIsSkippedAndEverySessionIsServedByTheOthers() throws Exception {
        EchoBackend first = cleanup.track(EchoBackend.start("echo-1"));
        InetSocketAddress dead = DeadPort.allocate();
        EchoBackend third = cleanup.track(EchoBackend.start("echo-3"));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(first.address(), dead, third.address()).build()));
        InetSocketAddress listener = daemon.listenerAddress(TestConfigs.LISTENER);

        for (int i = 0; i < 60; i++) {
            List<EchoFlows.Result> results = EchoFlows.roundTrip(listener,
                    List.of(new EchoFlows.Spec(64 * 1024, 1000 + i, 8 * 1024)), Duration.ofSeconds(10));
            assertEquals("", EchoFlows.failures(results), "session " + i + " of 60");
        }

        Backend deadBackend = backend(daemon, "b2");
        assertTrue(deadBackend.connectFailures() > 0, "connect failures recorded for the dead backend: "
                + deadBackend.connectFailures());
        assertEquals(deadBackend.totalSessions(), deadBackend.connectFailures(),
                "every placement on the dead backend failed to connect");
        assertEquals(0, deadBackend.activeSessions(), "sessions still counted on the dead backend");
        assertEquals(60, first.accepted() + third.accepted(),
                "connections the live backends accepted (one per session, no duplicate connects)");
        assertEquals(60, backend(daemon, "b1").totalSessions() + backend(daemon, "b3").totalSessions(),
                "sessions placed on the live backends");
    }

    @Test
    void withEveryBackendDownTheClientIsClosedPromptlyAndServiceResumesWhenOneReturns() throws Exception {
        InetSocketAddress dead1 = DeadPort.allocate();
        InetSocketAddress dead2 = DeadPort.allocate();
        InetSocketAddress dead3 = DeadPort.allocate();
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(dead1, dead2, dead3).retries(2).build()));
        InetSocketAddress listener = daemon.listenerAddress(TestConfigs.LISTENER);

        try (Client client = Client.connect(listener)) {
            long startNs = System.nanoTime();
            client.send("hello?".getBytes(StandardCharsets.US_ASCII));
            client.readTimeout(Duration.ofSeconds(5));
            Client.End end = client.awaitEnd();
            long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
            assertTrue(elapsedMs < 2_000, "client ended (" + end + ") after " + elapsedMs + " ms, expected < 2000 ms");
        }
        long failures = 0;
        for (Backend b : daemon.pool(TestConfigs.POOL).snapshot().backends()) {
            failures += b.connectFailures();
            assertEquals(0, b.activeSessions(), b + " active sessions after the failed session");
        }
        assertEquals(3, failures, "connect attempts for one session with retries = 2 (first try + 2 retries)");

        // The first backend comes back on its old port; the next session must be served.
        EchoBackend revived = cleanup.track(EchoBackend.start("revived", dead1.getPort()));
        List<EchoFlows.Result> results = EchoFlows.roundTrip(listener,
                List.of(new EchoFlows.Spec(128 * 1024, 77, 4 * 1024)), Duration.ofSeconds(10));
        assertEquals("", EchoFlows.failures(results), "session after a backend came back");
        assertEquals(1, revived.accepted(), "connections the revived backend accepted");
    }
}
