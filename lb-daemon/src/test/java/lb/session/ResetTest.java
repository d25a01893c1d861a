package lb.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.testing.Cleanup;
import lb.testing.Await;
import lb.testing.Client;
import lb.testing.ScriptedBackend;
import lb.testing.TestConfigs;

/**
 * A reset on one side is passed on as a reset, not softened into a FIN: the far peer must not
 * take a truncated stream for a complete one.
 */
class ResetTest {

    private static final byte[] HELLO = {'h', 'e', 'l', 'l', 'o'};

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** How a blocking read on {@code in} ended: "eof" or "reset". */
    private static String howItEnds(InputStream in) {
        try {
            while (in.read() >= 0) {
                // keep reading until the stream ends
            }
            return "eof";
        } catch (IOException e) {
            return "reset";
        }
    }

    @Test
    void backendResetReachesTheClientAsAReset() throws Exception {
        ScriptedBackend backend = cleanup.track(ScriptedBackend.start("resets", (socket, self) -> {
            byte[] got = socket.getInputStream().readNBytes(HELLO.length);
            assertArrayEquals(HELLO, got, "what the backend got");
            socket.setSoLinger(true, 0);
            socket.close();
        }));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(backend.address()).build()));

        try (Client client = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
            client.send(HELLO);
            assertEquals(Client.End.RESET, client.awaitEnd(), "how the client's connection ended");
        }
        assertEquals(List.of(), backend.failures(), "backend script failures");
        Await.until(() -> daemon.activeSessions() == 0, Duration.ofSeconds(2),
                () -> "sessions still open: " + daemon.activeSessions());
    }

    @Test
    void clientResetReachesTheBackendAsAReset() throws Exception {
        CompletableFuture<Void> backendGotHello = new CompletableFuture<>();
        CompletableFuture<String> backendSaw = new CompletableFuture<>();
        ScriptedBackend backend = cleanup.track(ScriptedBackend.start("watches", (socket, self) -> {
            InputStream in = socket.getInputStream();
            assertArrayEquals(HELLO, in.readNBytes(HELLO.length), "what the backend got");
            backendGotHello.complete(null);
            backendSaw.complete(howItEnds(in));
        }));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(backend.address()).build()));

        Client client = cleanup.track(Client.connect(daemon.listenerAddress(TestConfigs.LISTENER)));
        client.send(HELLO);
        backendGotHello.get(5, TimeUnit.SECONDS);
        client.abort();
        assertEquals("reset", backendSaw.get(5, TimeUnit.SECONDS), "how the backend's connection ended");
        Await.until(() -> daemon.activeSessions() == 0, Duration.ofSeconds(2),
                () -> "sessions still open: " + daemon.activeSessions());
    }

    @Test
    void clientFinReachesTheBackendAsAFin() throws Exception {
        CompletableFuture<String> backendSaw = new CompletableFuture<>();
        ScriptedBackend backend = cleanup.track(ScriptedBackend.start("watches", (socket, self) -> {
            InputStream in = socket.getInputStream();
            assertArrayEquals(HELLO, in.readNBytes(HELLO.length), "what the backend got");
            backendSaw.complete(howItEnds(in));
        }));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(backend.address()).build()));

        try (Client client = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
            client.send(HELLO);
            client.shutdownOutput();
            assertEquals("eof", backendSaw.get(5, TimeUnit.SECONDS), "how the backend's connection ended");
        }
    }
}
