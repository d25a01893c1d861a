package lb.bench.load;

import java.io.IOException;
import java.io.PrintWriter;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import lb.bench.tls.TlsClient;

/**
 * Main thread only. Runs the load workers of one plan (throughput, rr, crr, tls): deals the connections
 * to the worker threads, starts them, and once a second swaps out their latency recorders, writes
 * the interval to the histogram log and prints a progress line on stderr. The workers stop by
 * themselves at the end of the run; their results are summed once they have ended.
 */
final class LoadRun {

    private static final long TICK_NS = TimeUnit.SECONDS.toNanos(1);
    /** How long past the end a worker may take to close its connections before we stop waiting. */
    private static final long STOP_GRACE_NS = TimeUnit.SECONDS.toNanos(5);

    private final LoadPlan plan;
    private final PrintWriter progress;
    private final List<LoadWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Histogram> recycled = new ArrayList<>();
    /** Published once the workers exist, for {@link #wakeWorkers()} on the signal hook's thread. */
    private volatile List<LoadWorker> started = List.of();
    private final Histogram total = new Histogram(1, LoadWorker.MAX_LATENCY_NS, 3);
    private final Histogram tick = new Histogram(1, LoadWorker.MAX_LATENCY_NS, 3);
    private long lastTickNs;
    private long lastTickAmount;

    LoadRun(LoadPlan plan, PrintWriter progress) {
        this.plan = plan;
        this.progress = progress;
    }

    /** @param log the {@code --histogram} log to write, or null */
    RunResult run(Timeline timeline, LatencyLog log) throws IOException, InterruptedException {
        try {
            startWorkers(timeline);
            lastTickNs = timeline.startNs();
            long nextTickNs = timeline.startNs() + TICK_NS;
            long giveUpNs = timeline.endNs() + STOP_GRACE_NS;
            for (Thread thread : threads) {
                while (thread.isAlive()) {
                    long nowNs = System.nanoTime();
                    if (nowNs - giveUpNs >= 0) {
                        progress.println("a load worker did not stop in time; reporting without it");
                        break;
                    }
                    if (nowNs - nextTickNs >= 0) {
                        if (nextTickNs - timeline.endNs() < 0) {
                            tick(timeline, log, nowNs);
                        }
                        nextTickNs += TICK_NS;
                        continue;
                    }
                    long waitNs = Math.min(nextTickNs, giveUpNs) - nowNs;
                    thread.join(waitNs / 1_000_000L, (int) (waitNs % 1_000_000L));
                }
            }
            collectLatencies(timeline, log, System.nanoTime());
            return result(timeline);
        } finally {
            for (LoadWorker worker : workers) {
                // Only a worker that missed the grace period still has its selector open.
                worker.selector.wakeup();
            }
        }
    }

    private void startWorkers(Timeline timeline) throws IOException {
        int threadCount = Math.min(plan.threads(), plan.connections());
        TlsClient tls = plan.mode() == Mode.TLS ? tlsClient() : null;
        for (int t = 0; t < threadCount; t++) {
            // Worker t gets connections t, t + threadCount, t + 2 * threadCount, ...
            int count = (plan.connections() - t + threadCount - 1) / threadCount;
            LoadWorker worker = switch (plan.mode()) {
                case THROUGHPUT -> new ThroughputWorker(plan, timeline, count);
                case RR -> new RequestResponseWorker(plan, timeline, t, threadCount, count);
                case CRR -> new ConnectWorker(plan, timeline, count, t, threadCount);
                case TLS -> new TlsWorker(plan, timeline, tls, count, t, threadCount);
                case IDLE -> throw new IllegalArgumentException("idle runs on the main thread: IdleLoad");
            };
            workers.add(worker);
            recycled.add(null);
        }
        started = List.copyOf(workers);
        for (int t = 0; t < workers.size(); t++) {
            Thread thread = new Thread(workers.get(t), "load-" + plan.mode().cliName() + "-" + t);
            thread.setDaemon(true); // a stuck worker must not keep the JVM alive after the report
            threads.add(thread);
            thread.start();
        }
    }

    /** The client side of every tls worker: one context, thread-safe. */
    private TlsClient tlsClient() throws IOException {
        try {
            return new TlsClient(plan.sni(), plan.alpn());
        } catch (GeneralSecurityException e) {
            throw new IOException("no TLS client: " + e.getMessage(), e);
        }
    }

    /**
     * Any thread (the signal hook). Wakes every worker from its select, so one with nothing to do
     * sees the end brought forward at once rather than at the planned end. Workers not published
     * yet see it on their first pass.
     */
    void wakeWorkers() {
        for (LoadWorker worker : started) {
            worker.selector.wakeup();
        }
    }

    private void tick(Timeline timeline, LatencyLog log, long nowNs) {
        collectLatencies(timeline, log, nowNs);
        long amount = 0;
        for (LoadWorker worker : workers) {
            amount += plan.mode() == Mode.THROUGHPUT ? worker.counters.bytes() : worker.counters.operations();
        }
        double seconds = (nowNs - lastTickNs) / 1e9;
        double rate = (amount - lastTickAmount) / seconds;
        if (plan.mode() == Mode.THROUGHPUT) {
            rate = rate * 8 / 1e9;
        }
        long errors = 0;
        for (LoadWorker worker : workers) {
            for (ErrorKind kind : ErrorKind.values()) {
                errors += worker.counters.errors(kind);
            }
        }
        String phase = timeline.measures(nowNs) ? "" : "  (warm-up)";
        String rateText = plan.mode() == Mode.THROUGHPUT ? String.format("%.2f", rate) : String.format("%,.0f", rate);
        progress.printf("[%5.1fs] %s %s %s  errors %d%s%n", (nowNs - timeline.startNs()) / 1e9, plan.mode().cliName(),
                rateText, plan.mode().rateUnit(), errors, phase);
        progress.flush();
        lastTickNs = nowNs;
        lastTickAmount = amount;
    }

    /** Moves what the workers recorded since the last call into the total (and the log). */
    private void collectLatencies(Timeline timeline, LatencyLog log, long nowNs) {
        tick.reset();
        for (int i = 0; i < workers.size(); i++) {
            Histogram interval = workers.get(i).intervalLatencies(recycled.get(i));
            recycled.set(i, interval);
            tick.add(interval);
        }
        total.add(tick);
        if (log != null) {
            log.interval(tick, lastTickNs, nowNs);
        }
    }

    private RunResult result(Timeline timeline) {
        long operations = 0;
        long bytes = 0;
        long echoed = 0;
        long connected = 0;
        String firstError = null;
        String negotiated = null;
        Map<ErrorKind, Long> errors = RunResult.noErrors();
        List<Long> perStream = new ArrayList<>();
        for (LoadWorker worker : workers) {
            WorkerCounters c = worker.counters;
            operations += c.measuredOperations();
            bytes += c.measuredBytes();
            echoed += c.echoedBytes();
            connected += c.connected();
            for (ErrorKind kind : ErrorKind.values()) {
                errors.merge(kind, c.errors(kind), Long::sum);
            }
            if (firstError == null) {
                firstError = c.firstError();
            }
            if (negotiated == null && worker instanceof TlsWorker tls) {
                negotiated = tls.negotiated();
            }
            if (worker instanceof ThroughputWorker throughput) {
                for (long b : throughput.measuredBytesPerStream()) {
                    perStream.add(b);
                }
            }
        }
        long[] bytesPerStream = perStream.stream().mapToLong(Long::longValue).toArray();
        return new RunResult(operations, bytes, echoed, connected, errors, firstError, total.copy(), bytesPerStream,
                timeline.measuredSeconds(), negotiated);
    }
}
