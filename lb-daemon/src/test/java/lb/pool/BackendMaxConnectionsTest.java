package lb.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.EchoBackend;
import lb.testing.TestConfigs;

/** A backend at its max_connections is skipped; a client no backend has room for is closed and counted. */
class BackendMaxConnectionsTest {

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private static void echoes(Client client, int i) throws Exception {
        client.send(new byte[] {(byte) i});
        assertArrayEquals(new byte[] {(byte) i}, client.readExactly(1), "session " + i + " echoed");
    }

    @Test
    void sessionsFillEveryBackendToItsLimitThenClientsAreRefusedUntilOneEnds() throws Exception {
        EchoBackend one = cleanup.track(EchoBackend.start("one"));
        EchoBackend two = cleanup.track(EchoBackend.start("two"));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(one.address(), two.address())
                .backendMaxConnections(2).workers(2).build()));
        BackendPool pool = daemon.pool(TestConfigs.POOL);

        List<Client> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Client client = cleanup.track(Client.connect(daemon.listenerAddress(TestConfigs.LISTENER)));
            echoes(client, i);
            held.add(client);
        }
        assertEquals(2, one.open(), "sessions on backend one, at its limit");
        assertEquals(2, two.open(), "sessions on backend two, at its limit");

        try (Client refused = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
            refused.readTimeout(Duration.ofSeconds(5));
            assertEquals(Client.End.EOF, refused.awaitEnd(), "a client no backend has room for is closed");
        }
        Await.until(() -> pool.sessionsRefused() == 1, Duration.ofSeconds(5),
                () -> "refused sessions counted: " + pool.sessionsRefused());
        assertEquals(4, one.open() + two.open(), "no backend went over its limit");

        held.get(0).close();
        Await.until(() -> daemon.activeSessions() == 3, Duration.ofSeconds(5), "the closed session is still counted");
        try (Client again = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
            echoes(again, 9);
        }
        assertEquals(1, pool.sessionsRefused(), "room again: served");
    }
}
