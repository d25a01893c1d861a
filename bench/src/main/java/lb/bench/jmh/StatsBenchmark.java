package lb.bench.jmh;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import lb.listen.Listener;
import lb.pool.BackendPool;
import lb.pool.LoopCounters;
import lb.session.SessionEvent;
import lb.session.StatsRing;
import lb.session.Termination;
import lb.stats.StatsAggregator;

/**
 * JMH threads only (the benchmark thread plays an event loop; the real {@code lb-stats} thread
 * drains). What stats cost the data path: {@code publish} is one ended session's event (claim a
 * slot, fill it, hand it over), as {@code Session.close} does; {@code countBytes} is the per-relay-
 * event counter update. Both should allocate nothing: run with {@code -prof gc} and read
 * {@code gc.alloc.rate.norm} (B/op).
 *
 * <p>Run: {@code java -cp bench/target/bench.jar org.openjdk.jmh.Main StatsBenchmark -prof gc}.
 * If the aggregator cannot keep up with a publisher that does nothing else, slots run out and
 * {@code publish} takes the drop path (also allocation-free); the tear-down line says how many.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Benchmark)
public class StatsBenchmark {

    private StatsRing ring;
    private StatsAggregator aggregator;
    private LoopCounters counters;
    private long n;

    @Setup(Level.Trial)
    public void setUp() {
        ring = new StatsRing(StatsRing.DEFAULT_SLOTS);
        aggregator = StatsAggregator.start(new StatsRing[] {ring}, new StatsAggregator.Sources() {
            @Override
            public Map<String, Listener> listeners() {
                return Map.of();
            }

            @Override
            public Map<String, BackendPool> pools() {
                return Map.of();
            }
        }, true, false);
        counters = new LoopCounters(4, 2);
    }

    @Benchmark
    public SessionEvent publish() {
        SessionEvent e = ring.claim();
        if (e != null) {
            e.up = ++n;
            e.down = n;
            e.durationNs = 1_000_000 + (n & 0xffff) * 1000;
            e.connectNs = 50_000 + (n & 0xff) * 100;
            e.firstByteNs = 100_000;
            e.attempts = 1;
            e.end = Termination.COMPLETED;
            ring.publish(e);
        }
        return e;
    }

    @Benchmark
    public LoopCounters countBytes() {
        counters.add(1, 0, 16_384);
        counters.add(1, 1, 16_384);
        return counters;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        aggregator.close();
        System.out.println("stats events: " + aggregator.processed() + " aggregated, " + aggregator.dropped()
                + " dropped (ring full)");
    }
}
