package lb.log;

import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * Any thread. One repeated cause of a log line (an accept that keeps failing, say): at most one line
 * per interval, which says how many were suppressed since the last, so a fault that repeats
 * thousands of times a second costs a line per interval, not a full disk and a busy thread.
 *
 * <p>Tests that must see a second line without waiting out the real interval start the daemon with
 * {@code -Dlb.test.logIntervalMs=N}: every instance then uses N ms. The property is read once; unset
 * (always, in production) each instance keeps the interval it was made with.
 */
public final class RateLimitedLog {

    /** The interval every instance uses instead of its own (tests), or 0. */
    private static final long TEST_INTERVAL_NS = testIntervalNs(System.getProperty("lb.test.logIntervalMs"));

    private final Logger log;
    private final long intervalNs;
    private final AtomicLong nextNs = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger log, long intervalNs) {
        this.log = log;
        this.intervalNs = TEST_INTERVAL_NS > 0 ? TEST_INTERVAL_NS : intervalNs;
    }

    /** Logs {@code message} as a warning now, or counts it if a line went out less than an interval ago. */
    public void warn(long nowNs, String message) {
        if (shouldLog(nowNs)) {
            log.warn(counted(message));
        }
    }

    /** As {@link #warn}, at level info (a routine line that something outside can repeat). */
    public void info(long nowNs, String message) {
        if (shouldLog(nowNs)) {
            log.info(counted(message));
        }
    }

    /** As {@link #warn}, at level error. */
    public void error(long nowNs, String message) {
        if (shouldLog(nowNs)) {
            log.error(counted(message));
        }
    }

    /** As {@link #error(long, String)}, with {@code failure}'s stack trace (written only with the line). */
    public void error(long nowNs, String message, Throwable failure) {
        if (shouldLog(nowNs)) {
            log.error(counted(message), failure);
        }
    }

    /**
     * For lines the caller writes itself: true at most once per interval; otherwise counts the line
     * as suppressed. The count goes out only through the other methods: a line with a stack trace
     * that should carry it uses {@link #error(long, String, Throwable)}.
     */
    public boolean shouldLog(long nowNs) {
        long next = nextNs.get();
        if (next != Long.MIN_VALUE && nowNs - next < 0 || !nextNs.compareAndSet(next, nowNs + intervalNs)) {
            suppressed.incrementAndGet();
            return false;
        }
        return true;
    }

    /** {@code message}, with how many lines were suppressed since the last one (the count starts again). */
    private String counted(String message) {
        long skipped = suppressed.getAndSet(0);
        return skipped == 0 ? message : message + " (and " + skipped + " more like it since the last line)";
    }

    /** For a caller that writes its own line after {@link #shouldLog}: the lines suppressed since the last, reset to 0. */
    public long takeSuppressed() {
        return suppressed.getAndSet(0);
    }

    /** How many lines were suppressed since the last one written (tests). */
    public long suppressed() {
        return suppressed.get();
    }

    /** {@code -Dlb.test.logIntervalMs}: a positive number of ms, else 0 (the property is for tests only). */
    static long testIntervalNs(String property) {
        if (property == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(property.trim())) * 1_000_000L;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
