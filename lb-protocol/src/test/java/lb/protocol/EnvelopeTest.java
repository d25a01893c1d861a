package lb.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class EnvelopeTest {

    @Test
    void typedRepliesReadBackFromTheirLines() {
        Reply.Status status = new Reply.Status("1.0", 12, List.of(new Reply.ListenerStatus("front", "127.0.0.1:80",
                "web", 2)), List.of(new Reply.PoolStatus("web", "maglev", false, 3, List.of(new Reply.BackendStatus(
                "a", "127.0.0.1:81", 2, 1.5, "active", "up", false, 2, 10, 1, 0)))));
        assertEquals(status, Envelope.parse(Envelope.ok(status)).reply(Command.STATUS));
        Reply.Backend drained = new Reply.Backend("web/a", "draining", 1, 0, true, null, true, 12L, null, null);
        assertEquals("{\"ok\":true,\"result\":{\"target\":\"web/a\",\"admin_state\":\"draining\",\"weight\":1,"
                + "\"active_sessions\":0,\"removed\":true,\"drained\":true,\"waited_ms\":12}}", Envelope.ok(drained));
        assertEquals(drained, Envelope.parse(Envelope.ok(drained)).reply(Command.DRAIN));
        Reply.Stats stats = new Reply.Stats("1.0", 5, Map.of("listeners", List.of()));
        assertEquals("{\"ok\":true,\"result\":{\"version\":\"1.0\",\"uptime_ms\":5,\"listeners\":[]}}",
                Envelope.ok(stats));
        assertEquals(stats, Envelope.parse(Envelope.ok(stats)).reply(Command.STATS));
    }

    @Test
    void progressAndErrorLines() {
        Envelope progress = Envelope.parse(Envelope.progress(new Reply.Progress("web/a", 3, 1500, 2000)));
        assertTrue(progress.isProgress());
        assertEquals(new Reply.Progress("web/a", 3, 1500, 2000), progress.progressRecord());
        String line = Envelope.error(ErrorCode.NOT_FOUND, "no pool named \"x\"");
        assertEquals("{\"ok\":false,\"error\":\"no pool named \\\"x\\\"\",\"code\":\"not_found\"}", line);
        Envelope error = Envelope.parse(line);
        assertEquals(ErrorCode.NOT_FOUND, error.code());
        assertEquals("no pool named \"x\"", error.error());
    }
}
