package lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import lb.testing.EchoBackend;
import lb.testing.EchoFlows;

/** Reloads while sessions stream: not one session fails or loses a byte. */
class ReloadUnderLoadTest {

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private static String config(EchoBackend a, EchoBackend b, EchoBackend c, int round) {
        // Odd rounds re-weight and drop the third backend; even rounds bring it back.
        String third = round % 2 == 0 ? """
                [[pool.backend]]
                name = "c"
                address = "127.0.0.1:%d"
                """.formatted(c.address().getPort()) : "";
        return """
                [daemon]
                workers = 2
                access_log = false
                admin_socket = ""
                [[listener]]
                name = "main"
                bind = "127.0.0.1:0"
                pool = "echo"
                [[pool]]
                name = "echo"
                algorithm = "%s"
                [[pool.backend]]
                name = "a"
                address = "127.0.0.1:%d"
                weight = %d
                [[pool.backend]]
                name = "b"
                address = "127.0.0.1:%d"
                %s""".formatted(round % 3 == 0 ? "round_robin" : "maglev", a.address().getPort(), 1 + round % 4,
                b.address().getPort(), third);
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
                for (int round = 1; round <= 10; round++) {
                    Files.writeString(file, config(a, b, c, round));
                    changes.addAll(daemon.reload());
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return changes;
        });
        List<EchoFlows.Result> results = flows.run(Duration.ofSeconds(60));
        List<String> changes = reloads.get(30, TimeUnit.SECONDS);

        assertEquals("", EchoFlows.failures(results), "sessions through 10 reloads (sha256 both ways)");
        assertTrue(changes.stream().anyMatch(s -> s.contains("removed backend c"))
                && changes.stream().anyMatch(s -> s.contains("added backend c"))
                && changes.stream().anyMatch(s -> s.contains("algorithm")), "the reloads changed things: " + changes);
    }
}
