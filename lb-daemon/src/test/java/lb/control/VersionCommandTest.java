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

/** Test thread. {@code version} answers the protocol module's version. */
class VersionCommandTest {

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
