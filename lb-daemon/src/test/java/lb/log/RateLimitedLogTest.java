package lb.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import lb.testing.LogCapture;

/** Test thread. A repeated cause logs once per interval and counts what it held back. */
class RateLimitedLogTest {

    @Test
    void repeatsWithinAnIntervalAreCountedNotWritten() {
        RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(RateLimitedLogTest.class), 1_000);
        log.warn(0, "accept failed"); // written
        for (int i = 1; i < 1_000; i++) {
            log.warn(i, "accept failed"); // within the interval: counted
        }
        assertEquals(999, log.suppressed());
        log.warn(1_000, "accept failed"); // the next interval: written, with the count, which starts again
        assertEquals(0, log.suppressed());
        log.warn(1_001, "accept failed");
        assertEquals(1, log.suppressed());
    }

    @Test
    void infoAndErrorWriteOneLinePerIntervalAtTheirLevelWithTheCount() {
        String name = "lb.log.RateLimitedLogTest.levels";
        RateLimitedLog info = new RateLimitedLog(LoggerFactory.getLogger(name), 1_000);
        RateLimitedLog error = new RateLimitedLog(LoggerFactory.getLogger(name), 1_000);
        try (LogCapture capture = LogCapture.start()) {
            for (int i = 0; i < 1_500; i++) { // a line at 0 and at 1000, 500 counted since
                info.info(i, "reloaded: no change");
                error.error(i, "reload failed");
            }
            info.info(3_000, "reloaded: no change");
            error.error(3_000, "reload failed");
            assertEquals(List.of(
                    "INFO " + name + " - reloaded: no change",
                    "INFO " + name + " - reloaded: no change (and 999 more like it since the last line)",
                    "INFO " + name + " - reloaded: no change (and 499 more like it since the last line)"),
                    withoutTimeAndThread(capture.lines(Pattern.compile(" INFO " + Pattern.quote(name)))));
            assertEquals(List.of(
                    "ERROR " + name + " - reload failed",
                    "ERROR " + name + " - reload failed (and 999 more like it since the last line)",
                    "ERROR " + name + " - reload failed (and 499 more like it since the last line)"),
                    withoutTimeAndThread(capture.lines(Pattern.compile(" ERROR " + Pattern.quote(name)))));
        }
    }

    @Test
    void aStackTraceGoesOutOnlyWithItsLine() {
        String name = "lb.log.RateLimitedLogTest.traces";
        RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(name), 1_000);
        try (LogCapture capture = LogCapture.start()) {
            for (int i = 0; i < 100; i++) {
                log.error(i * 20, "task failed", new IllegalStateException("boom " + i));
            }
            // Written at 0 and 1000 (49 held back between): two lines, each followed by its own trace.
            assertEquals(List.of("ERROR " + name + " - task failed",
                    "ERROR " + name + " - task failed (and 49 more like it since the last line)"),
                    withoutTimeAndThread(capture.lines(Pattern.compile(" ERROR " + Pattern.quote(name)))));
            assertEquals(List.of("java.lang.IllegalStateException: boom 0", "java.lang.IllegalStateException: boom 50"),
                    capture.lines(Pattern.compile("^java\\.lang\\.IllegalStateException: boom")));
            assertEquals(49, log.suppressed(), "the 49 after the second line wait for the next");
        }
    }

    @Test
    void shouldLogCountsWhatItHoldsBackForTheNextCountedLine() {
        String name = "lb.log.RateLimitedLogTest.should";
        RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(name), 1_000);
        assertTrue(log.shouldLog(0));
        for (int i = 1; i <= 10; i++) {
            assertFalse(log.shouldLog(i));
        }
        assertEquals(10, log.suppressed());
        try (LogCapture capture = LogCapture.start()) {
            log.warn(1_000, "again");
            assertEquals(List.of("WARN " + name + " - again (and 10 more like it since the last line)"),
                    withoutTimeAndThread(capture.lines(Pattern.compile(" WARN " + Pattern.quote(name)))));
        }
    }

    @Test
    void theTestIntervalPropertyTakesPositiveMillisecondsOnly() {
        assertEquals(0, RateLimitedLog.testIntervalNs(null));
        assertEquals(250_000_000L, RateLimitedLog.testIntervalNs("250"));
        assertEquals(0, RateLimitedLog.testIntervalNs("-5"));
        assertEquals(0, RateLimitedLog.testIntervalNs("soon"));
    }

    /** "2026-01-01T00:00:00.000Z [main] WARN name - message" → "WARN name - message". */
    private static List<String> withoutTimeAndThread(List<String> lines) {
        return lines.stream().map(l -> l.replaceFirst("^\\S+ \\[[^\\]]*\\] ", "")).toList();
    }
}
