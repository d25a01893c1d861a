package lb.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.protocol.Reply;
import lb.protocol.Request;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;

/**
 * Test thread, the daemon's threads. A pool's counters are counters: removing a backend leaves what
 * it counted in its pool's totals (they fell by its share before), including what its sessions
 * still running when it was removed relay afterwards.
 */
class PoolCountersTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private static Map<?, ?> pool(ControlFixture f) {
        return (Map<?, ?>) ((List<?>) f.daemon.stats().get("pools")).get(0);
    }

    private static long number(Map<?, ?> m, String key) {
        return ((Number) m.get(key)).longValue();
    }

    @Test
    void removingABackendNeverLowersItsPoolsTotals() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        f.sessions(10); // 5 on each backend, 1 KiB each way
        Client stillOnA = null;
        for (int i = 0; stillOnA == null && i < 4; i++) {
            Client c = f.session(100 + i);
            if (f.backend("a").activeSessions() == 1) {
                stillOnA = c;
            } else {
                c.close();
            }
        }
        assertTrue(stillOnA != null, "a session held on backend a");
        Await.until(() -> number(pool(f), "sessions_total") >= 11, WAIT, () -> "counted: " + pool(f));
        long sessions = number(pool(f), "sessions_total");
        long down = number(pool(f), "bytes_down");

        Reply.Backend removed = (Reply.Backend) f.call(new Request.RemoveBackend("web/a", 100L));
        assertEquals(Boolean.TRUE, removed.removed());
        Map<?, ?> after = pool(f);
        assertEquals(sessions, number(after, "sessions_total"), "the removed backend's sessions stay counted");
        assertTrue(number(after, "bytes_down") >= down, "bytes never go down: " + number(after, "bytes_down") + " < " + down);

        f.sessions(2); // on b
        Await.until(() -> number(pool(f), "sessions_total") == sessions + 2, WAIT, () -> "and go on: " + pool(f));
    }
}
