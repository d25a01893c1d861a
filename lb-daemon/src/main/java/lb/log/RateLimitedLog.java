package lb.log;

import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * Any thread. One repeated cause of a log line (an accept that keeps failing, say): at most one line
 * per interval, which says how many were suppressed since the last, so a fault that repeats
 * thousands of times a second costs a line per interval, not a full disk and a busy thread.
 */
public final class RateLimitedLog {

    private final Logger log;
    private final long intervalNs;
    private final AtomicLong nextNs = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger log, long intervalNs) {
        this.log = log;
        this.intervalNs = intervalNs;
    }

    /** Logs {@code message} as a warning now, or counts it if a line went out less than an interval ago. */
    public void warn(long nowNs, String message) {
        if (shouldLog(nowNs)) {
            long skipped = suppressed.getAndSet(0);
            log.warn(skipped == 0 ? message : message + " (and " + skipped + " more like it since the last line)");
        }
    }

    /**
     * For lines the caller writes itself (with a stack trace, say): true at most once per interval;
     * otherwise counts the line as suppressed.
     */
    public boolean shouldLog(long nowNs) {
        long next = nextNs.get();
        if (next != Long.MIN_VALUE && nowNs - next < 0 || !nextNs.compareAndSet(next, nowNs + intervalNs)) {
            suppressed.incrementAndGet();
            return false;
        }
        return true;
    }

    /** How many lines were suppressed since the last one written (tests). */
    public long suppressed() {
        return suppressed.get();
    }
}
