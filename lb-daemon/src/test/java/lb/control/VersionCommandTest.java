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

/** Test thread. {@code version} answers the protocol module's version. */
class VersionCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void versionIsTheBuiltVersion() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        assertEquals(new Reply.Version(lb.protocol.Version.text()), f.call(new Request.Version()));
        assertTrue(!lb.protocol.Version.text().isEmpty());
    }
}
