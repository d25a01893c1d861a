package lb.admission;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Any thread: shared by all the event loops of one listener. A token bucket for new connections
 * ({@code ratePerSecond}, {@code burst} at once), kept as {@link Gcra}'s one arrival time in an
 * AtomicLong: {@link #tryTake} is one CAS, lock-free, allocation-free, and exact however many
 * threads take at once. An acceptor that finds no token can stop accepting for
 * {@link #nanosUntilNextToken} and let the backlog hold the clients, rather than refuse them.
 */
public final class ListenerRateLimit {

    /** The arrival time before any token is taken: the bucket has been full forever. */
    private static final long FULL = Long.MIN_VALUE;

    private final AtomicLong tat = new AtomicLong(FULL);
    private final long intervalNs;
    private final long toleranceNs;
    private final double ratePerSecond;
    private final int burst;

    public ListenerRateLimit(double ratePerSecond, int burst) {
        this.intervalNs = Gcra.intervalNs(ratePerSecond);
        this.toleranceNs = Gcra.toleranceNs(intervalNs, burst);
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
    }

    /** Takes a token at {@code nowNs} if one is available. */
    public boolean tryTake(long nowNs) {
        while (true) {
            long t = tat.get();
            long ahead = t == FULL ? 0 : t - nowNs; // FULL - now would overflow
            if (ahead > toleranceNs) {
                return false;
            }
            if (tat.compareAndSet(t, (ahead > 0 ? t : nowNs) + intervalNs)) {
                return true;
            }
        }
    }

    /**
     * Returns a token {@link #tryTake} gave that was not used (the accept found no connection: with
     * one listening socket shared by every loop, all of them wake and all but one find none). A
     * bucket that has refilled meanwhile stays full: a returned token is never banked past it.
     */
    public void giveBack(long nowNs) {
        while (true) {
            long t = tat.get();
            if (t == FULL || t - intervalNs <= nowNs) {
                return; // full again by now (or never taken from): nothing to return it to
            }
            if (tat.compareAndSet(t, t - intervalNs)) {
                return;
            }
        }
    }

    /** 0 if a token is available at {@code nowNs}, else the nanoseconds until one is (other takers aside). */
    public long nanosUntilNextToken(long nowNs) {
        long t = tat.get();
        return t == FULL ? 0 : Math.max(0, t - nowNs - toleranceNs);
    }

    @Override
    public String toString() {
        return "ListenerRateLimit[" + ratePerSecond + "/s, burst " + burst + "]";
    }
}
