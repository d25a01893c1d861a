package lb.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lb.testing.Await;
import lb.testing.LogCapture;

/**
 * Test thread only, with the watchdog's thread running. WATCHDOG_USEC=200000 (200 ms): the
 * watchdog checks every 100 ms. Waits are on conditions with deadlines; the only bounded waits are
 * the negative checks (nothing arrives within several intervals).
 */
class SystemdWatchdogTest {

    private static final String USEC = "200000";
    private static final long INTERVAL_MS = 100;
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    /** A Liveness whose answer the test sets; counts how often the watchdog asked. */
    private static final class FakeLiveness implements Liveness {
        final AtomicReference<String> stuck = new AtomicReference<>();
        final AtomicInteger asked = new AtomicInteger();
        volatile long lastMaxAgeNs;

        @Override
        public String stuck(long nowNs, long maxAgeNs) {
            lastMaxAgeNs = maxAgeNs;
            asked.incrementAndGet();
            return stuck.get();
        }
    }

    @Test
    void whileAliveAPingComesEveryHalfWatchdogUsec() throws Exception {
        FakeLiveness liveness = new FakeLiveness();
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"));
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(systemd.env());
             Watchdog watchdog = Watchdog.fromEnvironment(systemd.env(Watchdog.WATCHDOG_USEC, USEC), notifier, liveness)) {
            assertTrue(watchdog.enabled());
            assertEquals(INTERVAL_MS * 1_000_000, watchdog.intervalNs());
            long startNs = System.nanoTime();
            watchdog.start();
            for (int i = 0; i < 6; i++) {
                assertEquals("WATCHDOG=1", systemd.receive(WAIT));
            }
            long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
            // The n-th check is due n intervals after the thread started, never earlier (a fixed
            // rate does not run ahead): six pings take at least 600 ms. The upper bound only rules
            // out a much slower schedule (a slow machine may delay each a little).
            assertTrue(elapsedMs >= 6 * INTERVAL_MS, elapsedMs + " ms");
            assertTrue(elapsedMs < 6 * INTERVAL_MS * 5, elapsedMs + " ms");
            assertEquals(INTERVAL_MS * 1_000_000, liveness.lastMaxAgeNs, "a part may be quiet for one interval");
        }
    }

    @Test
    void whileSomethingIsStuckNoPingComesAndTheLogSaysWhat() throws Exception {
        FakeLiveness liveness = new FakeLiveness();
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"));
             LogCapture log = LogCapture.start();
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(systemd.env());
             Watchdog watchdog = Watchdog.fromEnvironment(systemd.env(Watchdog.WATCHDOG_USEC, USEC), notifier, liveness)) {
            watchdog.start();
            assertEquals("WATCHDOG=1", systemd.receive(WAIT));

            liveness.stuck.set("EventLoop-1 has been in one pass for 12 s");
            // A check that read "alive" just before the change may still send its ping: wait for a
            // check that has seen the change, then drop what came before it.
            int askedBefore = liveness.asked.get();
            Await.until(() -> liveness.asked.get() >= askedBefore + 2, WAIT, "two checks since stuck");
            systemd.drain();
            int askedAtStart = liveness.asked.get();
            assertNull(systemd.receive(Duration.ofMillis(5 * INTERVAL_MS)), "no ping while stuck");
            assertTrue(liveness.asked.get() - askedAtStart >= 3, "the watchdog kept checking: " + liveness.asked);
            Await.until(() -> !log.lines(Pattern.compile("EventLoop-1 has been in one pass for 12 s")).isEmpty(),
                    WAIT, "the stuck part is logged");
            List<String> lines = log.lines(Pattern.compile("not telling systemd we are alive"));
            assertTrue(lines.size() <= 2, "rate-limited: " + lines);

            liveness.stuck.set(null);
            assertEquals("WATCHDOG=1", systemd.receive(WAIT), "pings resume");
            assertEquals("WATCHDOG=1", systemd.receive(WAIT));
            Await.until(() -> !log.lines(Pattern.compile("watchdog: every part turns again")).isEmpty(),
                    WAIT, "the recovery is logged");
        }
    }

    @Test
    void aLivenessCheckThatThrowsCountsAsStuck() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        Liveness broken = (nowNs, maxAgeNs) -> {
            asked.incrementAndGet();
            throw new IllegalStateException("broken on purpose");
        };
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"));
             LogCapture log = LogCapture.start();
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(systemd.env());
             Watchdog watchdog = Watchdog.fromEnvironment(systemd.env(Watchdog.WATCHDOG_USEC, USEC), notifier, broken)) {
            watchdog.start();
            assertNull(systemd.receive(Duration.ofMillis(5 * INTERVAL_MS)), "no ping");
            assertTrue(asked.get() >= 3, "kept checking: " + asked);
            assertTrue(watchdog.threadForTest().isAlive(), "the thread survives");
            Await.until(() -> !log.lines(Pattern.compile("liveness check failed.*broken on purpose")).isEmpty(),
                    WAIT, "logged");
        }
    }

    @Test
    void closeStopsThePings() throws Exception {
        FakeLiveness liveness = new FakeLiveness();
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"));
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(systemd.env())) {
            Watchdog watchdog = Watchdog.fromEnvironment(systemd.env(Watchdog.WATCHDOG_USEC, USEC), notifier, liveness);
            watchdog.start();
            assertEquals("WATCHDOG=1", systemd.receive(WAIT));
            watchdog.close();
            assertFalse(watchdog.threadForTest().isAlive(), "joined");
            assertEquals("lb-watchdog", watchdog.threadForTest().getName());
            assertTrue(watchdog.threadForTest().isDaemon());
            systemd.drain();
            assertNull(systemd.receive(Duration.ofMillis(3 * INTERVAL_MS)), "no ping after close");
            watchdog.close(); // idempotent
        }
    }

    @Test
    void watchdogPidOfThisProcessOrNoneEnablesIt() throws Exception {
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"));
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(systemd.env())) {
            String self = Long.toString(ProcessHandle.current().pid());
            assertTrue(Watchdog.fromEnvironment(systemd.env(Watchdog.WATCHDOG_USEC, USEC, Watchdog.WATCHDOG_PID, self),
                    notifier, new FakeLiveness()).enabled());
            assertTrue(Watchdog.fromEnvironment(systemd.env(Watchdog.WATCHDOG_USEC, USEC), notifier, new FakeLiveness()).enabled());
            assertTrue(Watchdog.fromEnvironment(systemd.env(Watchdog.WATCHDOG_USEC, USEC, Watchdog.WATCHDOG_PID, "4242"),
                    notifier, new FakeLiveness(), 4242).enabled());
        }
    }

    @Test
    void watchdogPidOfAnotherProcessDisablesIt() throws Exception {
        FakeLiveness liveness = new FakeLiveness();
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"));
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(systemd.env())) {
            String other = Long.toString(ProcessHandle.current().pid() + 1);
            Watchdog watchdog = Watchdog.fromEnvironment(
                    systemd.env(Watchdog.WATCHDOG_USEC, USEC, Watchdog.WATCHDOG_PID, other), notifier, liveness);
            assertFalse(watchdog.enabled());
            assertEquals(0, watchdog.intervalNs());
            watchdog.start();
            assertNull(systemd.receive(Duration.ofMillis(3 * INTERVAL_MS)), "no ping from a disabled watchdog");
            assertEquals(0, liveness.asked.get());
            watchdog.close();
        }
    }

    @Test
    void withoutAUsableWatchdogUsecOrNotifySocketThereIsNoWatchdog() throws Exception {
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"));
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(systemd.env())) {
            for (String usec : new String[] {null, "", "0", "-5", "abc", "99999999999999999999"}) {
                Map<String, String> env = usec == null ? systemd.env() : systemd.env(Watchdog.WATCHDOG_USEC, usec);
                assertFalse(Watchdog.fromEnvironment(env, notifier, new FakeLiveness()).enabled(), "WATCHDOG_USEC=" + usec);
            }
            SystemdNotifier none = SystemdNotifier.fromEnvironment(Map.of());
            assertFalse(Watchdog.fromEnvironment(Map.of(Watchdog.WATCHDOG_USEC, USEC), none, new FakeLiveness()).enabled(),
                    "nowhere to send pings");
        }
    }
}
