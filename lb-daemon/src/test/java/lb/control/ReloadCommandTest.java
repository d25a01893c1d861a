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

/** Test thread. {@code reload}: the file's changes apply all or nothing. */
class ReloadCommandTest {

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void reloadAppliesAChangedWeightAndSaysSo() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "weighted_round_robin");
        java.nio.file.Files.writeString(f.file, f.config(3));
        Reply.Reload reply = (Reply.Reload) f.call(new Request.Reload());
        assertEquals(java.util.List.of("pool web: backend b weight 1 -> 3"), reply.changes());
        assertEquals(3, f.backend("b").weight());
        assertEquals(java.util.List.of(), ((Reply.Reload) f.call(new Request.Reload())).changes(), "nothing new");
    }

    @Test
    void aBrokenFileIsRefusedAndNothingChanges() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "weighted_round_robin");
        java.nio.file.Files.writeString(f.file, f.config(3).replace("algorithm = \"weighted_round_robin\"",
                "algorithm = \"fastest\""));
        String why = f.refused(new Request.Reload(), ErrorCode.REFUSED);
        assertTrue(why.startsWith("invalid config") && why.contains("unknown algorithm \"fastest\""), why);
        assertEquals(1, f.backend("b").weight(), "nothing changed");
        assertEquals("weighted_round_robin", f.daemon.pool(ControlFixture.POOL).snapshot().algorithm());
    }
}
