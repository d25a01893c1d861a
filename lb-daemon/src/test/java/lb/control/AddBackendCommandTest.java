package lb.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.Daemon;
import lb.config.ActiveCheck;
import lb.config.HealthConfig;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.HealthState;
import lb.pool.PoolSnapshot;
import lb.protocol.ErrorCode;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.EchoBackend;
import lb.testing.TestConfigs;

/**
 * Test thread. {@code add-backend}: a new backend takes sessions; duplicates and unknown pools are
 * refused; with slow start it ramps like a backend coming back.
 */
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

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** The added backend's published weight over the first one's (same configured weight). */
    private static double share(BackendPool pool) {
        PoolSnapshot s = pool.snapshot();
        return (double) s.weight(1) / s.weight(0);
    }

    private static Backend add(Daemon daemon, EchoBackend backend) {
        Reply reply = daemon.control().call(new Request.AddBackend(TestConfigs.POOL,
                "127.0.0.1:" + backend.address().getPort(), 1L, "added"), Caller.signal("test"), 10_000);
        assertEquals("pool/added", ((Reply.Backend) reply).target());
        return daemon.pool(TestConfigs.POOL).snapshot().backend(1);
    }

    @Test
    void addedBackendRampsFromTenPercentWithSlowStart() throws Exception {
        EchoBackend first = cleanup.track(EchoBackend.start("first"));
        EchoBackend later = cleanup.track(EchoBackend.start("later"));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(first.address())
                .algorithm("weighted_round_robin").health(new HealthConfig(null, null, 0, Duration.ofSeconds(2)))
                .build()));
        BackendPool pool = daemon.pool(TestConfigs.POOL);
        Backend added = add(daemon, later);
        double atAdd = share(pool);
        assertTrue(atAdd <= 0.2, "the snapshot that published it gave it " + atAdd + " of full weight");
        assertTrue(added.isRamping(System.nanoTime()));
        assertEquals(1, added.ramps());
        assertEquals(0, pool.snapshot().backend(0).ramps(), "start-up does not ramp");
        Await.until(() -> share(pool) > 0.3 && share(pool) < 0.95, WAIT, () -> "no mid-ramp weight: " + share(pool));
        Await.until(() -> share(pool) == 1.0, WAIT, () -> "full weight not reached: " + share(pool));
    }

    @Test
    void addedBackendWithActiveChecksRampsFromItsFirstPassingProbe() throws Exception {
        EchoBackend first = cleanup.track(EchoBackend.start("first"));
        EchoBackend later = cleanup.track(EchoBackend.start("later"));
        HealthConfig health = new HealthConfig(new ActiveCheck(ActiveCheck.Type.TCP, Duration.ofMillis(50),
                Duration.ofMillis(25), 1, 1, 0, "/", null, 200, 399, null, null, false), null, 0,
                Duration.ofSeconds(30));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(first.address())
                .algorithm("weighted_round_robin").health(health).build()));
        BackendPool pool = daemon.pool(TestConfigs.POOL);
        Await.until(() -> pool.snapshot().backend(0).healthState() == HealthState.UP, WAIT, "first not UP");
        Backend added = add(daemon, later);
        // The verdict is recorded last, after the state change and the ramp it brings.
        Await.until(() -> !added.awaitingFirstCheck(), WAIT, "the added backend's first probe did not come back");
        assertEquals(HealthState.UP, added.healthState());
        assertEquals(1, added.ramps(), "its first passing probe starts its ramp");
        assertTrue(added.isRamping(System.nanoTime()));
        Await.until(() -> share(pool) <= 0.2, WAIT, () -> "ramped weight not published: " + share(pool));
        assertEquals(0, pool.snapshot().backend(0).ramps(), "start-up does not ramp");
    }
}
