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

/** Test thread. {@code undrain} and {@code enable}: the backend is back in rotation. */
class ActivateCommandTest {

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void undrainAndEnableBothBringTheBackendBack() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        f.call(new Request.Drain("web/a", false, null, Request.Drain.Then.KEEP));
        assertEquals(new Reply.Backend("web/a", "active", 1, 0), f.call(new Request.Undrain("web/a")));
        f.sessions(4);
        assertEquals(2, f.backend("a").totalSessions(), "back in rotation after undrain");
        f.call(new Request.Disable("web/a", 0L));
        f.sessions(2);
        assertEquals(2, f.backend("a").totalSessions(), "none while disabled");
        assertEquals(new Reply.Backend("web/a", "active", 1, 0), f.call(new Request.Enable("web/a")));
        f.sessions(4);
        assertEquals(4, f.backend("a").totalSessions(), "back in rotation after enable");
        f.refused(new Request.Enable("web/zz"), ErrorCode.NOT_FOUND);
    }
}
