package lb.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.pool.AdminState;
import lb.protocol.ErrorCode;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;

/** Test thread. {@code drain}: no new sessions; open ones go on; with wait, the reply when they have ended. */
class DrainCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void drainedBackendGetsNoNewSessionsWhileItsOpenOnesKeepEchoing() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        Client onA = f.session(1);
        Reply.Backend reply = (Reply.Backend) f.call(new Request.Drain("web/a", false, null, Request.Drain.Then.KEEP));
        assertEquals(new Reply.Backend("web/a", "draining", 1, 1), reply);
        assertEquals(AdminState.DRAINING, f.backend("a").adminState());
        f.sessions(4);
        assertEquals(1, f.backend("a").totalSessions(), "no new session on a");
        assertEquals(4, f.backend("b").totalSessions());
        byte[] more = lb.testing.Payload.random(9, 4096);
        onA.send(more);
        org.junit.jupiter.api.Assertions.assertArrayEquals(more, onA.readExactly(more.length), "still echoing");
        f.refused(new Request.Drain("web/zz", false, null, Request.Drain.Then.KEEP), ErrorCode.NOT_FOUND);
        f.refused(new Request.Drain("api/a", false, null, Request.Drain.Then.KEEP), ErrorCode.NOT_FOUND);
    }

    @Test
    void drainWithWaitRepliesOnlyAfterItsSessionEnded() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        Client onA = f.session(1);
        java.util.concurrent.CompletableFuture<Reply> reply = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> f.call(new Request.Drain("web/a", true, null, Request.Drain.Then.KEEP)));
        Await.until(() -> f.backend("a").adminState() == AdminState.DRAINING, WAIT, "draining");
        assertTrue(!reply.isDone(), "no reply while a session is open");
        onA.close();
        Reply.Backend done = (Reply.Backend) reply.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(Boolean.TRUE, done.drained());
        assertEquals(0, done.activeSessions());
    }

    @Test
    void drainDeadlineWithCloseResetsWhatIsLeft() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        Client onA = f.session(1);
        Reply.Backend done = (Reply.Backend) f.call(new Request.Drain("web/a", true, 200L, Request.Drain.Then.CLOSE));
        assertEquals(Boolean.FALSE, done.drained());
        assertEquals("close", done.then());
        assertEquals(1, done.sessionsClosed());
        assertEquals(Client.End.RESET, onA.awaitEnd());
    }

    @Test
    void undrainDuringAWaitEndsItWithoutClosingAnything() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        Client onA = f.session(1);
        java.util.concurrent.CompletableFuture<Reply> reply = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> f.call(new Request.Drain("web/a", true, 60_000L, Request.Drain.Then.REMOVE)));
        Await.until(() -> f.backend("a").adminState() == AdminState.DRAINING, WAIT, "draining");
        f.call(new Request.Undrain("web/a"));
        Reply.Backend done = (Reply.Backend) reply.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals("superseded: admin_state is now active", done.then());
        assertEquals(null, done.removed());
        assertEquals("active", f.backend("a").adminState().name().toLowerCase(java.util.Locale.ROOT), "not removed");
        byte[] more = lb.testing.Payload.random(3, 1000);
        onA.send(more);
        org.junit.jupiter.api.Assertions.assertArrayEquals(more, onA.readExactly(more.length), "its session goes on");
    }
}
