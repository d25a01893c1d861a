package lb.listen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.testing.Cleanup;
import lb.testing.Await;
import lb.testing.Client;
import lb.testing.EchoBackend;
import lb.testing.TestConfigs;

/** At max_connections the listener stops accepting; the kernel backlog holds the next client until a slot frees. */
class MaxConnectionsTest {

    private static final int MAX = 5;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @Test
    void clientBeyondTheLimitWaitsInTheBacklogUntilASessionEnds() throws Exception {
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(echo.address()).maxConnections(MAX).workers(2).build()));
        InetSocketAddress listener = daemon.listenerAddress(TestConfigs.LISTENER);

        List<Client> held = new ArrayList<>();
        for (int i = 0; i < MAX; i++) {
            Client client = cleanup.track(Client.connect(listener));
            client.send(new byte[] {(byte) i});
            assertArrayEquals(new byte[] {(byte) i}, client.readExactly(1), "session " + i + " is served");
            held.add(client);
        }
        assertEquals(MAX, daemon.activeSessions(), "sessions open at the limit");

        Client waiting = cleanup.track(Client.connect(listener)); // completes in the kernel: the backlog holds it
        waiting.send(new byte[] {99});
        assertTrue(waiting.receivesNothingWithin(Duration.ofMillis(300)),
                "the client beyond max_connections got an answer (or was closed) instead of waiting");
        assertEquals(MAX, daemon.activeSessions(), "sessions open while one client waits beyond the limit");
        assertEquals(MAX, echo.accepted(), "backend connections while one client waits beyond the limit");
        Listener front = daemon.listeners().get(TestConfigs.LISTENER);
        Await.until(() -> "limit".equals(front.paused()), Duration.ofSeconds(5), "the listener shows it is paused");
        assertTrue(lb.stats.PrometheusText.render(daemon.stats()).contains("lb_listener_paused{listener=\""
                + TestConfigs.LISTENER + "\",reason=\"limit\"} 1\n"), "the gauge an alert reads");

        held.get(0).close();
        waiting.readTimeout(Duration.ofSeconds(3));
        assertArrayEquals(new byte[] {99}, waiting.readExactly(1), "the waiting client is served once a slot frees");
        assertEquals(MAX + 1, echo.accepted(), "backend connections after the waiting client was served");
        Await.until(() -> daemon.activeSessions() == MAX, Duration.ofSeconds(2),
                () -> "sessions open after one ended and the waiting one started: " + daemon.activeSessions());
        held.get(1).close();
        Await.until(() -> front.paused() == null, Duration.ofSeconds(5), "accepting again below the limit");
        assertTrue(lb.stats.PrometheusText.render(daemon.stats()).contains("lb_listener_paused{listener=\""
                + TestConfigs.LISTENER + "\",reason=\"limit\"} 0\n"));
    }
}
