package lb.bench.load;

import java.net.InetSocketAddress;

/**
 * Any thread (immutable). One validated {@code bench load} run. The run lasts
 * {@code warmupNs + durationNs}; only the last {@code durationNs} are measured.
 *
 * @param connections streams (throughput), connections (rr, idle) or concurrent attempts (crr)
 * @param threads     load worker threads; connections are dealt to them in turn
 * @param size        request bytes (rr, crr)
 * @param rate        total operations per second on a schedule; 0 = as fast as possible
 * @param timeoutNs   connect and answer deadline of one attempt (crr, idle connect)
 */
public record LoadPlan(InetSocketAddress target, Mode mode, Direction direction, int connections, int threads,
                       long durationNs, long warmupNs, int size, long rate, long timeoutNs) {

    boolean paced() {
        return rate > 0;
    }
}
