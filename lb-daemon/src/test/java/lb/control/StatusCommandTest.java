package lb.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.protocol.Reply;
import lb.protocol.Request;
import lb.testing.Cleanup;
import lb.testing.Client;

/** Test thread. {@code status}: listeners, pools and backends as they are now. */
class StatusCommandTest {

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void statusShowsTheListenerPoolAndBackendsWithTheirState() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "weighted_round_robin");
        try (Client open = f.session(1)) {
            f.call(new Request.Drain("web/b", false, null, Request.Drain.Then.KEEP));
            Reply.Status status = (Reply.Status) f.call(new Request.Status());
            assertEquals(1, status.listeners().size());
            Reply.ListenerStatus l = status.listeners().get(0);
            assertEquals("web", l.name());
            assertEquals("127.0.0.1:" + f.daemon.listenerAddress("web").getPort(), l.bind());
            assertEquals(1, l.activeSessions());
            Reply.PoolStatus pool = status.pools().get(0);
            assertEquals("weighted_round_robin", pool.algorithm());
            assertEquals(2, pool.backends().size());
            Reply.BackendStatus a = pool.backends().get(0);
            Reply.BackendStatus b = pool.backends().get(1);
            assertEquals("a", a.name());
            assertEquals("127.0.0.1:" + f.a.address().getPort(), a.address());
            assertEquals(1, a.activeSessions(), "the open session is on a");
            assertEquals(1, a.totalSessions());
            assertEquals("active", a.adminState());
            assertEquals("up", a.health());
            assertEquals(1.0, a.effectiveWeight());
            assertEquals("draining", b.adminState());
            assertTrue(status.uptimeMs() >= 0);
        }
    }
}
