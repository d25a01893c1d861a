package lb.pool;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Any thread reads; the discovery thread writes (lookups), the control thread too (what an answer
 * came to). How a pool's DNS discovery is doing, for status and metrics: the last good answer, the
 * failure in progress if any (the pool keeps the last good set meanwhile), failures counted by
 * reason since start (across reloads), and when the next lookup is due. Kept by the pool so that
 * the layers above it (stats, control) read it without knowing the discovery thread.
 */
public final class DiscoveryState {

    private final AtomicLong lookups = new AtomicLong();
    private final AtomicLongArray failures = new AtomicLongArray(DiscoveryFailure.values().length);
    // Each written by one thread at a time, read by any: volatile.
    private volatile DiscoveryFailure failing;
    private volatile String failingDetail;
    private volatile long failingSinceMs;
    private volatile long lastSuccessMs;
    private volatile int answered = -1;
    private volatile int leftOut;
    private volatile long nextLookupMs;

    /** Discovery thread: a lookup answered with {@code backends} usable records, {@code leftOut} past max_backends. */
    public void succeeded(int backends, int leftOut, long nowMs) {
        lookups.incrementAndGet();
        this.failing = null;
        this.failingDetail = null;
        this.failingSinceMs = 0;
        this.lastSuccessMs = nowMs;
        this.answered = backends;
        this.leftOut = leftOut;
    }

    /**
     * Discovery thread: a lookup failed. Returns whether this is a change of state (the first
     * failure, or another reason than the last), which is what gets logged.
     */
    public boolean failed(DiscoveryFailure reason, String detail, long nowMs) {
        lookups.incrementAndGet();
        failures.incrementAndGet(reason.ordinal());
        DiscoveryFailure was = failing;
        if (was == null) {
            failingSinceMs = nowMs;
        }
        failing = reason;
        failingDetail = detail;
        return was != reason;
    }

    /** Discovery thread: when the next lookup is due (epoch ms). */
    public void nextLookupMs(long ms) {
        this.nextLookupMs = ms;
    }

    public long nextLookupMs() {
        return nextLookupMs;
    }

    /** The failure in progress, or null while the last lookup succeeded (or none has run). */
    public DiscoveryFailure failing() {
        return failing;
    }

    public String failingDetail() {
        return failingDetail;
    }

    /** When the failures in progress began (epoch ms), 0 when none. */
    public long failingSinceMs() {
        return failingSinceMs;
    }

    /** When a lookup last succeeded (epoch ms), 0 if none has. */
    public long lastSuccessMs() {
        return lastSuccessMs;
    }

    /** Backends the last good answer gave; -1 before the first. */
    public int answered() {
        return answered;
    }

    /** Records of the last good answer left out for max_backends. */
    public int leftOut() {
        return leftOut;
    }

    public long lookups() {
        return lookups.get();
    }

    /** Failed lookups for {@code reason} since start. */
    public long failures(DiscoveryFailure reason) {
        return failures.get(reason.ordinal());
    }

    /** Failed lookups since start, every reason. */
    public long failures() {
        long total = 0;
        for (DiscoveryFailure reason : DiscoveryFailure.values()) {
            total += failures(reason);
        }
        return total;
    }
}
