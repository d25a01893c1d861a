package lb.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.protocol.ErrorCode;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.testing.Cleanup;

/** Test thread. {@code sessions}: open sessions as each loop lists its own, bounded. */
class SessionsCommandTest {

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void sessionsListsOpenOnesBoundedAndPerBackend() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        for (int i = 0; i < 4; i++) {
            f.session(i); // round robin: a, b, a, b; left open
        }
        Reply.Sessions all = (Reply.Sessions) f.call(new Request.Sessions(null, 100L));
        assertEquals(4, all.matched());
        assertEquals(4, all.sessions().size());
        Reply.Sessions onA = (Reply.Sessions) f.call(new Request.Sessions("web/a", 1L));
        assertEquals(2, onA.matched(), "two on a");
        assertEquals(1, onA.sessions().size(), "limit 1");
        assertEquals("web/a", onA.sessions().get(0).backend());
        assertEquals(1024, onA.sessions().get(0).up(), "bytes client to backend");
        f.refused(new Request.Sessions("web/zz", 1L), ErrorCode.NOT_FOUND);
    }
}
