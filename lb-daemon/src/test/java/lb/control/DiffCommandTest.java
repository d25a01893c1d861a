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

/** Test thread. {@code diff}: runtime changes, and file edits not reloaded yet. */
class DiffCommandTest {

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void diffListsRuntimeChangesAndPendingFileEdits() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "weighted_round_robin");
        f.call(new Request.SetWeight("web/a", 4L));
        java.nio.file.Files.writeString(f.file, f.config(3));
        Reply.Diff diff = (Reply.Diff) f.call(new Request.Diff());
        assertEquals(f.file.toString(), diff.config());
        assertEquals(1, diff.runtime().size(), diff.toString());
        assertEquals("web/a", diff.runtime().get(0).get("target"));
        assertEquals(4L, diff.runtime().get(0).get("value"));
        assertTrue(diff.file().stream().anyMatch(line -> line.contains("b") && line.contains("1 -> 3")), diff.toString());
        java.nio.file.Files.writeString(f.file, "[[listener]]\nname = 5\n");
        Reply.Diff broken = (Reply.Diff) f.call(new Request.Diff());
        assertTrue(broken.file() == null && broken.fileError().startsWith("invalid config"), broken.toString());
    }
}
