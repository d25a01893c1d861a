package lb.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.pool.AdminState;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;

/** Test thread. {@code remove-backend}: drained, then out of the pool once its sessions ended. */
class RemoveBackendCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void removedOnceItsSessionEndedAndNewSessionsAvoidItMeanwhile() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        Client onA = f.session(1);
        java.util.concurrent.CompletableFuture<Reply> reply = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> f.call(new Request.RemoveBackend("web/a", 30_000L)));
        Await.until(() -> f.backend("a").adminState() == AdminState.DRAINING, WAIT, "draining first");
        f.sessions(3);
        assertEquals(1, f.backend("a").totalSessions(), "no new session on a meanwhile");
        onA.close();
        Reply.Backend done = (Reply.Backend) reply.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(Boolean.TRUE, done.removed());
        assertEquals(Boolean.TRUE, done.drained());
        assertEquals(null, f.backend("a"), "gone from the snapshot");
        assertEquals(1, f.daemon.pool(ControlFixture.POOL).snapshot().size());
    }

    @Test
    void atTheTimeoutItsSessionsAreResetAndItIsRemovedAnyway() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        Client onA = f.session(1);
        Reply.Backend done = (Reply.Backend) f.call(new Request.RemoveBackend("web/a", 100L));
        assertEquals(Boolean.TRUE, done.removed());
        assertEquals(1, done.sessionsClosed());
        assertEquals(Client.End.RESET, onA.awaitEnd());
        assertEquals(null, f.backend("a"));
    }

    @Test
    void ofTwoRemovalsOfOneBackendOnlyTheFirstSaysItRemovedIt() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        Client onA = f.session(1);
        java.util.concurrent.CompletableFuture<Reply> first = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> f.call(new Request.RemoveBackend("web/a", 30_000L)));
        Await.until(() -> f.backend("a").adminState() == lb.pool.AdminState.DRAINING, WAIT, "draining first");
        java.util.concurrent.CompletableFuture<Reply> second = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> f.call(new Request.RemoveBackend("web/a", 30_000L)));
        // Two polling waits, not one wait and a loop's answer queued (the second removal might not have run yet).
        Await.until(() -> f.daemon.control().waitsForTest() == 2, WAIT, "both waiting");
        onA.close();
        Reply.Backend one = (Reply.Backend) first.get(20, java.util.concurrent.TimeUnit.SECONDS);
        Reply.Backend two = (Reply.Backend) second.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(java.util.Set.of(true, false), java.util.Set.of(one.removed(), two.removed()));
        assertEquals(null, f.backend("a"));
    }
}
