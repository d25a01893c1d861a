package lb.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.protocol.Reply;
import lb.protocol.Request;
import lb.testing.Await;
import lb.testing.Cleanup;

/** Test thread. {@code stats}: figures from the stats thread, answered when it has them. */
class StatsCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void statsCountTheSessionsThatEnded() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        f.sessions(6);
        Await.until(() -> endedOn(f) == 6, WAIT, () -> "six ended: " + f.call(new Request.Stats()));
        Reply.Stats stats = (Reply.Stats) f.call(new Request.Stats());
        assertEquals(lb.protocol.Version.text(), stats.version());
        assertTrue(stats.figures().containsKey("pools"), stats.toString());
    }

    private static long endedOn(ControlFixture f) {
        Reply.Stats stats = (Reply.Stats) f.call(new Request.Stats());
        java.util.Map<?, ?> listener = (java.util.Map<?, ?>) ((java.util.List<?>) stats.figures().get("listeners")).get(0);
        return ((Number) listener.get("sessions_ended")).longValue();
    }
}
