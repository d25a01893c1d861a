package lb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.config.ConfigLoader;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.EchoBackend;
import lb.testing.EchoFlows;
import lb.testing.ReloadRounds;

/**
 * Test thread only. Reloads while sessions stream: not one session fails or loses a byte, while
 * the reloads bind and unbind a listener, add and remove a pool, change health settings, and a
 * broken file in between changes nothing.
 */
class ReloadUnderLoadTest {

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private static String config(EchoBackend a, EchoBackend b, EchoBackend c, int round) {
        return ReloadRounds.config(round, a, b, c, "admin_socket = \"\"", true);
    }

    /** One message through the side listener: answered by the side pool's backend. */
    private static void echoThrough(InetSocketAddress address) throws IOException {
        try (Client client = Client.connect(address)) {
            byte[] hello = "hello side".getBytes(StandardCharsets.US_ASCII);
            client.send(hello);
            assertArrayEquals(hello, client.readExactly(hello.length));
        }
    }

    @Test
    void tenReloadsWhile200SessionsStreamLoseNothing() throws Exception {
        EchoBackend a = cleanup.track(EchoBackend.start("a"));
        EchoBackend b = cleanup.track(EchoBackend.start("b"));
        EchoBackend c = cleanup.track(EchoBackend.start("c"));
        Path file = dir.resolve("lb.toml");
        Files.writeString(file, config(a, b, c, 0));
        Daemon daemon = cleanup.track(Daemon.start(ConfigLoader.load(file)));

        List<EchoFlows.Spec> specs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            specs.add(new EchoFlows.Spec(256 * 1024 + i * 1024L, 7_000 + i, 8 * 1024));
        }
        EchoFlows flows = cleanup.track(EchoFlows.connect(daemon.listenerAddress("main"), specs, Duration.ofSeconds(10)));
        assertEquals(200, flows.connected());
        CompletableFuture<List<String>> reloads = CompletableFuture.supplyAsync(() -> {
            List<String> changes = new ArrayList<>();
            try {
                InetSocketAddress side = null;
                for (int round = 1; round <= 10; round++) {
                    Files.writeString(file, config(a, b, c, round));
                    changes.addAll(daemon.reload());
                    if (round % 2 == 1) {
                        side = daemon.listenerAddress("side");
                        echoThrough(side);
                    } else {
                        InetSocketAddress unbound = side;
                        assertThrows(ConnectException.class, () -> Client.connect(unbound), "side listener unbound");
                    }
                    if (round == 5) {
                        Files.writeString(file, config(a, b, c, 6).replace("pool = \"echo\"", "pool = \"none\""));
                        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, daemon::reload);
                        assertTrue(refused.getMessage().contains("none"), refused.getMessage());
                        echoThrough(side); // nothing changed: the side listener still serves
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return changes;
        });
        // Every flow holds at half its size until the reloads are done: all 200 stay open through all of them.
        List<EchoFlows.Result> results = flows.run(Duration.ofSeconds(60), () -> !reloads.isDone());
        List<String> changes = reloads.get(30, TimeUnit.SECONDS);

        assertEquals("", EchoFlows.failures(results), "sessions through 10 reloads (sha256 both ways)");
        for (String expected : List.of("removed backend c", "added backend c", "algorithm", "added listener side",
                "removed listener side", "added pool side", "removed pool side", "health settings changed")) {
            assertTrue(changes.stream().anyMatch(s -> s.contains(expected)), expected + " in " + changes);
        }
    }
}
