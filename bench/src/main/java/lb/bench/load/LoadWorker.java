package lb.bench.load;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Owned by one load worker thread (the one that runs it). A worker owns a selector, its share of
 * the connections and two direct buffers, and loops until the end of the run: read the clock once,
 * let the mode start or time out operations ({@link #onPass}), select until the next thing is due.
 * Latencies go into a {@link SingleWriterRecorder} the main thread swaps out once a second, and
 * counts into {@link WorkerCounters}; neither allocates per operation.
 */
abstract class LoadWorker implements Runnable, Consumer<SelectionKey> {

    /** The longest latency recorded; longer ones are clamped to it (a run lasts at most an hour and a bit). */
    static final long MAX_LATENCY_NS = TimeUnit.HOURS.toNanos(2);
    /** Reads or writes per readiness event, so one busy connection cannot starve the others. */
    static final int SPINS_PER_EVENT = 16;
    private static final int BUFFER_SIZE = 64 * 1024;

    final LoadPlan plan;
    final Timeline timeline;
    final Selector selector;
    final WorkerCounters counters = new WorkerCounters();
    final SingleWriterRecorder latencies = new SingleWriterRecorder(1, MAX_LATENCY_NS, 3);
    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
    final ByteBuffer writeBuffer;
    /** The clock read at the top of this pass; accurate enough to decide what a byte counts for. */
    long passNs;

    LoadWorker(LoadPlan plan, Timeline timeline) throws IOException {
        this.plan = plan;
        this.timeline = timeline;
        this.selector = Selector.open();
        this.writeBuffer = ByteBuffer.allocateDirect(Math.max(BUFFER_SIZE, plan.size()));
        for (int i = 0; i < writeBuffer.capacity(); i++) {
            writeBuffer.put(i, (byte) ('a' + i % 26));
        }
    }

    @Override
    public final void run() {
        try {
            passNs = System.nanoTime();
            onStart(passNs);
            while (true) {
                passNs = System.nanoTime();
                long leftNs = timeline.endNs() - passNs;
                if (leftNs <= 0) {
                    break;
                }
                long waitNs = Math.min(onPass(passNs), leftNs);
                if (waitNs <= 0) {
                    selector.selectNow(this);
                } else {
                    // A selector waits in whole milliseconds. Spinning on selectNow() until a send
                    // due in under one would burn a core (and on a small machine starve the very
                    // target being measured), so such a send goes out up to a millisecond late;
                    // paced latencies, charged from the due time, include that lateness.
                    selector.select(this, Math.max(1, waitNs / 1_000_000L));
                }
            }
        } catch (IOException | RuntimeException e) {
            counters.addError(ErrorKind.OTHER, "worker stopped: " + e);
        } finally {
            for (SelectionKey key : selector.keys()) {
                closeQuietly(key.channel());
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // the run is over anyway
            }
        }
    }

    /** Dispatches a ready key; an I/O error ends that connection only. */
    @Override
    public final void accept(SelectionKey key) {
        try {
            onKey(key);
        } catch (IOException e) {
            onFailed(key, ErrorKind.of(e), e.toString());
        }
    }

    /** Opens what the mode opens at the start. */
    abstract void onStart(long nowNs) throws IOException;

    /** Starts and times out operations; returns how long the selector may sleep, in ns. */
    abstract long onPass(long nowNs) throws IOException;

    abstract void onKey(SelectionKey key) throws IOException;

    /** Counts the failure and closes the key's connection. */
    abstract void onFailed(SelectionKey key, ErrorKind kind, String message);

    /**
     * A non-blocking connection to the target, connect started. On loopback the handshake can
     * finish inside {@code connect()}; then the channel is already connected (and OP_CONNECT would
     * never fire), so callers check {@link SocketChannel#isConnected()}.
     */
    final SocketChannel connect() throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (plan.bind() != null) {
                channel.bind(new java.net.InetSocketAddress(plan.bind(), 0));
            }
            channel.connect(plan.target());
            return channel;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** Records one finished operation that began (or was due to begin) at {@code originNs}. */
    final void recordLatency(long originNs, long doneNs) {
        boolean measured = timeline.measures(originNs);
        counters.addOperation(measured);
        if (measured) {
            latencies.recordValue(Math.max(0, Math.min(doneNs - originNs, MAX_LATENCY_NS)));
        }
    }

    /** Main thread: this worker's latencies since the last call ({@code recycle}: the histogram it returned then). */
    final Histogram intervalLatencies(Histogram recycle) {
        return latencies.getIntervalHistogram(recycle);
    }

    static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
