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

/** Test thread. {@code add-backend}: a new backend takes sessions; duplicates and unknown pools are refused. */
class AddBackendCommandTest {

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void addedBackendTakesItsShareAndDuplicatesAreRefused() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        lb.testing.EchoBackend c = cleanup.track(lb.testing.EchoBackend.start("c"));
        String address = "127.0.0.1:" + c.address().getPort();
        assertEquals(new Reply.Backend("web/c", "active", 2, 0),
                f.call(new Request.AddBackend("web", address, 2L, "c")));
        f.sessions(6);
        assertEquals(2, f.backend("c").totalSessions(), "round robin: one in three");
        assertEquals(2, c.accepted(), "the sessions reached c");
        f.refused(new Request.AddBackend("web", "127.0.0.1:1", 1L, "c"), ErrorCode.CONFLICT);
        f.refused(new Request.AddBackend("web", address, 1L, "d"), ErrorCode.CONFLICT);
        f.refused(new Request.AddBackend("api", address, 1L, "d"), ErrorCode.NOT_FOUND);
        String bad = f.refused(new Request.AddBackend("web", "127.0.0.1", 1L, "d"), ErrorCode.BAD_REQUEST);
        assertEquals("\"127.0.0.1\" is not host:port with a port 1..65535", bad);
    }
}
