package lb.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.protocol.ErrorCode;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.testing.Cleanup;

/** Test thread. {@code set-weight}: from the next pick, through a new snapshot. */
class SetWeightCommandTest {

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void newSessionsFollowTheNewWeights() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "weighted_round_robin");
        var before = f.daemon.pool(ControlFixture.POOL).snapshot();
        assertEquals(new Reply.Backend("web/a", "active", 3, 0), f.call(new Request.SetWeight("web/a", 3L)));
        var after = f.daemon.pool(ControlFixture.POOL).snapshot();
        assertTrue(after != before, "a new snapshot");
        assertEquals(3, after.backend(0).weight(), "a's weight in it");
        f.sessions(8);
        assertEquals(6, f.backend("a").totalSessions(), "weight 3 of 4");
        assertEquals(2, f.backend("b").totalSessions(), "weight 1 of 4");
        f.call(new Request.SetWeight("web/a", 0L));
        f.sessions(3);
        assertEquals(6, f.backend("a").totalSessions(), "weight 0: no new sessions");
        f.refused(new Request.SetWeight("web/zz", 1L), ErrorCode.NOT_FOUND);
    }
}
