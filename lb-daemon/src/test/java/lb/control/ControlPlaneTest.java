package lb.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.Daemon;
import lb.config.ConfigLoader;
import lb.testing.AdminClient;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.EchoBackend;

/**
 * Test thread. The control plane on a running daemon: queries are answered while a reload holds the
 * control thread, and a drain --wait whose client went away stops costing anything.
 */
class ControlPlaneTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private Daemon start(EchoBackend a, EchoBackend b) throws Exception {
        Path file = dir.resolve("lb.toml");
        Files.writeString(file, """
                [daemon]
                workers = 2
                access_log = false
                admin_socket = "%s"
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                [[pool.backend]]
                name = "a"
                address = "127.0.0.1:%d"
                [[pool.backend]]
                name = "b"
                address = "127.0.0.1:%d"
                """.formatted(dir.resolve("admin.sock"), a.address().getPort(), b.address().getPort()));
        return cleanup.track(Daemon.start(ConfigLoader.load(file)));
    }

    @Test
    void versionAndStatusAnswerWithin100MsWhileAReloadIsHeld() throws Exception {
        Daemon daemon = start(cleanup.track(EchoBackend.start("a")), cleanup.track(EchoBackend.start("b")));
        CountDownLatch reloading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        daemon.control().beforeReloadForTest(() -> {
            reloading.countDown();
            try {
                release.await(30, TimeUnit.SECONDS); // a resolver that stalls, say
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Path socket = dir.resolve("admin.sock");
        try (AdminClient reloader = cleanup.track(new AdminClient(socket));
             AdminClient other = cleanup.track(new AdminClient(socket))) {
            reloader.write("{\"cmd\":\"reload\"}\n");
            assertTrue(reloading.await(10, TimeUnit.SECONDS), "the reload reached the control thread");
            List<Long> ms = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                for (String request : List.of("{\"cmd\":\"version\"}", "{\"cmd\":\"status\"}")) {
                    long startNs = System.nanoTime();
                    String reply = other.call(request);
                    ms.add((System.nanoTime() - startNs) / 1_000_000);
                    assertTrue(reply.startsWith("{\"ok\":true"), reply);
                }
            }
            release.countDown();
            String reloaded = reloader.readLine();
            assertTrue(reloaded.startsWith("{\"ok\":true,\"result\":{\"changes\":[]"), reloaded);
            Collections.sort(ms);
            assertTrue(ms.get(ms.size() / 2) < 100, "median reply time while held: " + ms);
            assertTrue(ms.get(ms.size() - 1) < 1_000, "slowest reply time while held: " + ms);
        } finally {
            release.countDown();
        }
    }

    @Test
    void drainWaitWhoseClientLeftStopsListingTheLoopsSessions() throws Exception {
        EchoBackend a = cleanup.track(EchoBackend.start("a"));
        EchoBackend b = cleanup.track(EchoBackend.start("b"));
        Daemon daemon = start(a, b);
        // Two sessions, round robin: one on each backend; the one on a keeps the drain waiting.
        for (int i = 0; i < 2; i++) {
            Client c = cleanup.track(Client.connect(daemon.listenerAddress("web")));
            c.send(new byte[] {(byte) i});
            assertArrayEquals(new byte[] {(byte) i}, c.readExactly(1));
        }
        Await.until(() -> daemon.pool("web").snapshot().backend(0).activeSessions() == 1, WAIT, "a session on a");
        Path socket = dir.resolve("admin.sock");
        AdminClient waiter = new AdminClient(socket);
        waiter.write("{\"cmd\":\"drain\",\"target\":\"web/a\",\"wait\":true}\n");
        String progress = waiter.readLine();
        assertTrue(progress.startsWith("{\"ok\":true,\"progress\":{\"target\":\"web/a\",\"active_sessions\":1"), progress);
        long listingsWhileWaiting = daemon.loops().sessionListings();
        assertTrue(listingsWhileWaiting >= 1, "progress lines list the oldest session");
        waiter.close();

        Await.until(() -> daemon.control().scheduledForTest() == 0, WAIT, "the wait left the control thread");
        long listingsAfter = daemon.loops().sessionListings();
        // A change through the control thread afterwards: anything the wait still had queued ran before it.
        try (AdminClient other = cleanup.track(new AdminClient(socket))) {
            assertTrue(other.call("{\"cmd\":\"set-weight\",\"target\":\"web/b\",\"weight\":2}").startsWith("{\"ok\":true"));
        }
        assertEquals(listingsAfter, daemon.loops().sessionListings(), "no more session listings");
        assertEquals(0, daemon.control().scheduledForTest(), "nothing scheduled");
        assertFalse(daemon.pool("web").snapshot().backend(0).activeSessions() == 0, "the session on a is still open");
    }
}
