package lb.bench.herd;

/**
 * Any thread (immutable; the array is not changed after construction). One row of a herd run:
 * what happened in {@code (endS - lengthS, endS]} seconds after the start.
 *
 * @param sessions connections each backend accepted in the row (lb's health probes included)
 * @param ok       client sessions completed
 * @param errors   client sessions failed
 */
record HerdSecond(double endS, double lengthS, long[] sessions, long ok, long errors) {

    double startS() {
        return endS - lengthS;
    }

    /** Backend {@code i}'s sessions per second in this row. */
    double rate(int i) {
        return lengthS <= 0 ? 0 : sessions[i] / lengthS;
    }
}
