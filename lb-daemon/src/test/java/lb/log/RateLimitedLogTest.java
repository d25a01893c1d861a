package lb.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

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
}
