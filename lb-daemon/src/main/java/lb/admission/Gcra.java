package lb.admission;

/**
 * Any thread (stateless). The Generic Cell Rate Algorithm (ITU-T I.371 annex A; "virtual
 * scheduling"), which is a token bucket kept as one number, so that taking a token is one CAS:
 * the theoretical arrival time {@code tat}. A token is available when {@code tat - now <= tolerance};
 * taking it sets {@code tat = max(tat, now) + interval}. With {@code interval = 1 s / rate} and
 * {@code tolerance = (burst - 1) * interval}, a caller that finds the bucket full may take
 * {@code burst} tokens at once and then one per interval: over a span of {@code t} at most
 * {@code burst + t / interval}, and exactly that many if the bucket never sits full meanwhile
 * (time a full bucket waits is not banked: that is what the burst bounds).
 */
final class Gcra {

    private static final long NS_PER_SECOND = 1_000_000_000L;

    private Gcra() {
    }

    /** Nanoseconds per token, at least 1 (a rate above 10^9 per second is no limit at this resolution). */
    static long intervalNs(double ratePerSecond) {
        if (!(ratePerSecond > 0) || !Double.isFinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be a positive number per second, got " + ratePerSecond);
        }
        double interval = Math.rint(NS_PER_SECOND / ratePerSecond);
        if (interval >= Long.MAX_VALUE / 4.0) {
            throw new IllegalArgumentException("rate " + ratePerSecond + " per second is too slow to count");
        }
        return Math.max(1, (long) interval);
    }

    /** How far {@code tat} may run ahead of now: {@code burst - 1} intervals. */
    static long toleranceNs(long intervalNs, int burst) {
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, got " + burst);
        }
        if (burst - 1L > Long.MAX_VALUE / 4 / intervalNs) {
            throw new IllegalArgumentException("burst " + burst + " at this rate spans more time than can be counted");
        }
        return intervalNs * (burst - 1L);
    }
}
