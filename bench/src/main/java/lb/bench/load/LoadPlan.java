package lb.bench.load;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Any thread (immutable). One validated {@code bench load} run. The run lasts
 * {@code warmupNs + durationNs}; only the last {@code durationNs} are measured.
 *
 * @param connections streams (throughput), connections (rr, idle) or concurrent attempts (crr, tls)
 * @param threads     load worker threads; connections are dealt to them in turn
 * @param size        request bytes (rr, crr, tls; tls: 0 = the handshake only)
 * @param rate        total operations per second on a schedule; 0 = as fast as possible
 * @param timeoutNs   connect and answer deadline of one attempt (crr, tls, idle connect)
 * @param bind        the local address connections come from (another of 127.0.0.0/8, to stand for
 *                    another client), or null for the kernel's choice
 * @param sni         tls: server names sent in turn, one per connection; empty: no server_name
 * @param alpn        tls: ALPN protocols offered; empty: no ALPN extension
 */
public record LoadPlan(InetSocketAddress target, Mode mode, Direction direction, int connections, int threads,
                       long durationNs, long warmupNs, int size, long rate, long timeoutNs, java.net.InetAddress bind,
                       List<String> sni, List<String> alpn) {

    boolean paced() {
        return rate > 0;
    }
}
