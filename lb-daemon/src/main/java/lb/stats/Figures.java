package lb.stats;

import java.util.LinkedHashMap;
import java.util.Map;

import org.HdrHistogram.Histogram;

import lb.session.SessionEvent;
import lb.session.Termination;

/**
 * Owned by the StatsAggregator thread. What the ended sessions of one listener, pool or backend add
 * up to: how they ended, retries, and latency histograms (auto-resizing HdrHistograms with 2
 * significant digits, so an idle backend costs a few hundred bytes, a busy one tens of KiB).
 */
final class Figures {

    private static final Termination[] ENDS = Termination.values();

    final long[] ends = new long[ENDS.length];
    long sessions;
    long retries;
    final Latency connect = new Latency();
    final Latency firstByte = new Latency();
    final Latency duration = new Latency();

    /** One latency distribution in microseconds, with its exact sum (for Prometheus' _sum). */
    static final class Latency {
        final Histogram micros = new Histogram(2);
        long sumNs;

        void record(long ns) {
            if (ns >= 0) {
                micros.recordValue(Math.max(1, ns / 1_000));
                sumNs += ns;
            }
        }

        /** count, p50, p90, p99, p99.9 and max in milliseconds, sum in seconds. */
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", micros.getTotalCount());
            m.put("p50_ms", ms(micros.getValueAtPercentile(50)));
            m.put("p90_ms", ms(micros.getValueAtPercentile(90)));
            m.put("p99_ms", ms(micros.getValueAtPercentile(99)));
            m.put("p99_9_ms", ms(micros.getValueAtPercentile(99.9)));
            m.put("max_ms", ms(micros.getMaxValue()));
            m.put("sum_s", sumNs / 1e9);
            return m;
        }

        private static double ms(long micros) {
            return micros / 1000.0;
        }
    }

    void add(SessionEvent e) {
        sessions++;
        ends[e.end.ordinal()]++;
        retries += Math.max(0, e.attempts - 1);
        connect.record(e.connectNs);
        firstByte.record(e.firstByteNs);
        duration.record(e.durationNs);
    }

    /** Sessions ended, by how they ended (every kind, zeros included, so scripts find each key). */
    Map<String, Object> endsMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Termination t : ENDS) {
            m.put(t.label(), ends[t.ordinal()]);
        }
        return m;
    }
}
