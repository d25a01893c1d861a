package lb.stats;

import java.util.LinkedHashMap;
import java.util.Map;

import org.HdrHistogram.Histogram;

import lb.session.SessionEvent;
import lb.session.Termination;

/**
 * Owned by the StatsAggregator thread. What the ended sessions of one listener, pool or backend add
 * up to: how they ended, retries, and latency distributions (each kept three ways, see {@link Latency}).
 */
final class Figures {

    private static final Termination[] ENDS = Termination.values();

    /** Prometheus bucket bounds for connect and first byte, in seconds (docs/metrics.md). */
    static final double[] TIMING_BOUNDS_S = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
    /** Prometheus bucket bounds for session durations, in seconds. */
    static final double[] DURATION_BOUNDS_S = {0.001, 0.01, 0.1, 1, 10, 60, 300, 900, 3600};

    final long[] ends = new long[ENDS.length];
    long sessions;
    long retries;
    final Latency connect = new Latency(TIMING_BOUNDS_S);
    final Latency firstByte = new Latency(TIMING_BOUNDS_S);
    final Latency duration = new Latency(DURATION_BOUNDS_S);

    /**
     * One latency distribution, three ways: since start as an HdrHistogram in microseconds (2
     * significant digits, auto-resizing: an idle backend costs a few hundred bytes) with the exact
     * sum; since start in fixed buckets (Prometheus' histogram, which sums across hosts); and over
     * the last minute as a ring of twelve 5-second interval histograms (1 significant digit, so
     * within about 6%, each at most a few KiB and allocated when first used), from which the last
     * 10 s and 60 s are merged on demand.
     */
    static final class Latency {
        static final long SLOT_NS = 5_000_000_000L;
        static final int SLOTS = 12;

        final Histogram micros = new Histogram(2);
        long sumNs;
        private final double[] boundsS;
        private final long[] boundsNs;
        // Per bucket (not cumulative); the last one is +Inf.
        private final long[] bucketCounts;
        private final Histogram[] slots = new Histogram[SLOTS];
        // The 5-second interval (nanoTime / SLOT_NS) each slot holds now.
        private final long[] slotInterval = new long[SLOTS];

        Latency(double[] boundsS) {
            this.boundsS = boundsS;
            this.boundsNs = new long[boundsS.length];
            for (int i = 0; i < boundsS.length; i++) {
                boundsNs[i] = Math.round(boundsS[i] * 1e9);
            }
            this.bucketCounts = new long[boundsS.length + 1];
        }

        void record(long ns, long nowNs) {
            if (ns < 0) {
                return;
            }
            long us = Math.max(1, ns / 1_000);
            micros.recordValue(us);
            sumNs += ns;
            int b = 0;
            while (b < boundsNs.length && ns > boundsNs[b]) {
                b++;
            }
            bucketCounts[b]++;
            long interval = Math.floorDiv(nowNs, SLOT_NS);
            int slot = (int) Math.floorMod(interval, SLOTS);
            Histogram h = slots[slot];
            if (h == null) {
                h = slots[slot] = new Histogram(1);
            } else if (slotInterval[slot] != interval) {
                h.reset();
            }
            slotInterval[slot] = interval;
            h.recordValue(us);
        }

        /**
         * Since start: count, p50, p90, p99, p99.9 and max in milliseconds, sum in seconds, the
         * cumulative buckets ({@code "le"} -> count, "+Inf" last); and {@code last_10s}, {@code last_60s}:
         * count, p50, p90, p99 and max over the sessions that ended in that window.
         */
        Map<String, Object> toMap(long nowNs) {
            Map<String, Object> m = quantiles(micros);
            m.put("p99_9_ms", ms(micros.getValueAtPercentile(99.9)));
            m.put("max_ms", m.remove("max_ms"));
            m.put("sum_s", sumNs / 1e9);
            Map<String, Object> buckets = new LinkedHashMap<>();
            long cumulative = 0;
            for (int i = 0; i < boundsS.length; i++) {
                cumulative += bucketCounts[i];
                buckets.put(java.math.BigDecimal.valueOf(boundsS[i]).stripTrailingZeros().toPlainString(), cumulative);
            }
            buckets.put("+Inf", cumulative + bucketCounts[boundsS.length]);
            m.put("buckets", buckets);
            m.put("last_10s", quantiles(window(nowNs, 2)));
            m.put("last_60s", quantiles(window(nowNs, SLOTS)));
            return m;
        }

        /** The last {@code intervals} 5-second intervals (the current one, partly gone, included), merged. */
        private Histogram window(long nowNs, int intervals) {
            Histogram merged = new Histogram(1);
            long now = Math.floorDiv(nowNs, SLOT_NS);
            for (int i = 0; i < SLOTS; i++) {
                if (slots[i] != null && now - slotInterval[i] < intervals && now - slotInterval[i] >= 0) {
                    merged.add(slots[i]);
                }
            }
            return merged;
        }

        private static Map<String, Object> quantiles(Histogram h) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("count", h.getTotalCount());
            m.put("p50_ms", ms(h.getValueAtPercentile(50)));
            m.put("p90_ms", ms(h.getValueAtPercentile(90)));
            m.put("p99_ms", ms(h.getValueAtPercentile(99)));
            m.put("max_ms", ms(h.getMaxValue()));
            return m;
        }

        private static double ms(long micros) {
            return micros / 1000.0;
        }
    }

    void add(SessionEvent e, long nowNs) {
        sessions++;
        ends[e.end.ordinal()]++;
        retries += Math.max(0, e.attempts - 1);
        connect.record(e.connectNs, nowNs);
        firstByte.record(e.firstByteNs, nowNs);
        duration.record(e.durationNs, nowNs);
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
