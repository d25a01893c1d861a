package lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.balance.Balancers;
import lb.config.ActiveCheck;
import lb.config.HealthConfig;
import lb.config.PassiveCheck;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.HealthState;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.DeadPort;
import lb.testing.LogCapture;
import lb.testing.TestConfigs;

/**
 * Test thread only. Causes of health log lines that a backend can repeat at will cost a line per
 * interval (with a count) or a line per state change, never a line per probe or per session.
 */
class HealthLogRepeatsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long SECOND_NS = 1_000_000_000L;
    private static final Pattern COUNT = Pattern.compile("\\(and (\\d+) more like it since the last line\\)$");

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private static BackendPool pool(InetSocketAddress backend, HealthConfig health) {
        return new BackendPool(TestConfigs.balancing(backend).health(health).build().pools().get(0), 1,
                Balancers::prepare);
    }

    /**
     * One backend may not be ejected (max_ejection_percent 50 of 1 is 0), and it fails, succeeds once
     * and fails again 1,000 times within 10 s: each new streak would be a refusal line of its own.
     */
    @Test
    void aBackendThatKeepsRestartingItsFailureStreakLogsItsRefusalOncePerInterval() throws Exception {
        BackendPool pool = pool(DeadPort.allocate(), new HealthConfig(null,
                new PassiveCheck(2, Duration.ofSeconds(1), Duration.ofSeconds(10), 50), 0, Duration.ZERO));
        Backend backend = pool.snapshot().backend(0);
        OutlierDetector detector = new OutlierDetector(pool, null); // the checker is only used for a trial
        Pattern refusal = Pattern.compile(Pattern.quote("backend " + backend + " has 2 failed sessions in a row "
                + "but stays in"));
        try (LogCapture capture = LogCapture.start()) {
            long nowNs = 0;
            for (int streak = 0; streak < 1_000; streak++, nowNs += 5_000_000L) { // 5 s in all
                backend.onSessionFailed();
                backend.onSessionFailed();
                detector.run(nowNs);
                backend.onSessionSucceeded();
                detector.run(nowNs);
            }
            assertEquals(1, capture.lines(refusal).size(), "refusal lines within one interval");
            nowNs += 10 * SECOND_NS;
            backend.onSessionFailed();
            backend.onSessionFailed();
            detector.run(nowNs);
            List<String> lines = capture.lines(refusal);
            assertEquals(2, lines.size(), "refusal lines after the next interval began: " + lines);
            Matcher count = COUNT.matcher(lines.get(1));
            assertTrue(count.find(), lines.get(1));
            assertEquals(999, Long.parseLong(count.group(1)), "streaks refused since the first line");
            assertEquals(0, detector.ejections(backend));
        }
    }

    /** A backend whose probes all fail: one DOWN line, whatever the number of failed probes after it. */
    @Test
    void aProbeThatKeepsFailingLogsOneDownLineNotOnePerProbe() throws Exception {
        ProbeServer server = cleanup.track(ProbeServer.start(0, ProbeServer.http(503)));
        HealthConfig health = new HealthConfig(new ActiveCheck(ActiveCheck.Type.HTTP, Duration.ofMillis(20),
                Duration.ofMillis(10), 2, 2, 0, "/", null, 200, 399, null, null, true), null, 0, Duration.ZERO);
        BackendPool pool = pool(server.address(), health);
        Backend backend = pool.snapshot().backend(0);
        Pattern lines = Pattern.compile(Pattern.quote("backend " + backend));
        try (LogCapture capture = LogCapture.start()) {
            HealthChecker checker = cleanup.track(HealthChecker.start(List.of(pool)));
            Await.until(() -> server.acceptedNs().size() >= 40, WAIT, "40 probes did not arrive");
            checker.close();
            assertEquals(HealthState.DOWN, backend.healthState());
            List<String> logged = capture.lines(lines);
            assertEquals(1, logged.size(), "lines about the backend after " + server.acceptedNs().size()
                    + " failed probes: " + logged);
            assertTrue(logged.get(0).contains(" is DOWN: "), logged.get(0));
        }
    }
}
