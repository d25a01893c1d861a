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

/** Test thread. {@code disable}: no new sessions, and the open ones reset (at once or after a grace). */
class DisableCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void disableResetsExactlyTheBackendsOpenSessions() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        Client a1 = f.session(1);
        Client b1 = f.session(2);
        Client a2 = f.session(3);
        Reply.Backend reply = (Reply.Backend) f.call(new Request.Disable("web/a", 0L));
        assertEquals("disabled", reply.adminState());
        assertEquals(2, reply.sessionsClosed());
        assertEquals(Client.End.RESET, a1.awaitEnd());
        assertEquals(Client.End.RESET, a2.awaitEnd());
        byte[] more = lb.testing.Payload.random(5, 2048);
        b1.send(more);
        org.junit.jupiter.api.Assertions.assertArrayEquals(more, b1.readExactly(more.length), "b's session goes on");
    }

    @Test
    void disableWithGraceLetsSessionsEndFirst() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        Client onA = f.session(1);
        java.util.concurrent.CompletableFuture<Reply> reply = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> f.call(new Request.Disable("web/a", 30_000L)));
        Await.until(() -> f.backend("a").adminState() == AdminState.DISABLED, WAIT, "disabled");
        onA.close();
        Reply.Backend done = (Reply.Backend) reply.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(Boolean.TRUE, done.drained(), "ended by itself within the grace");
    }
}
