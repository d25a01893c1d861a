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

/** Test thread. {@code explain}: the backend a client would get now, and why. */
class ExplainCommandTest {

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void explainNamesTheBackendARealSessionFromLoopbackReaches() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "maglev");
        Reply.Explain explained = (Reply.Explain) f.call(new Request.Explain("127.0.0.1", null));
        assertTrue(explained.deterministic());
        assertEquals("maglev", explained.algorithm());
        f.session(1).close();
        String reached = f.backend("a").totalSessions() == 1 ? "a" : "b";
        assertEquals(reached, explained.backend());
        f.call(new Request.Drain("web/" + reached, false, null, Request.Drain.Then.KEEP));
        Reply.Explain drained = (Reply.Explain) f.call(new Request.Explain("127.0.0.1", "web"));
        assertEquals(java.util.List.of(reached + " (draining)"), drained.ineligible());
        assertTrue(!reached.equals(drained.backend()), drained.toString());
        f.refused(new Request.Explain("example.com", null), ErrorCode.BAD_REQUEST);
        f.refused(new Request.Explain("127.0.0.1", "nope"), ErrorCode.NOT_FOUND);
        f.refused(new Request.Explain("[::1]x80", null), ErrorCode.BAD_REQUEST);
    }

    @Test
    void roundRobinSaysItDoesNotMapClients() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        Reply.Explain explained = (Reply.Explain) f.call(new Request.Explain("127.0.0.1", null));
        assertTrue(!explained.deterministic() && explained.backend() == null, explained.toString());
    }
}
