package lb.bench.load;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Owned by one load worker thread. Connection churn: each attempt connects, sends {@code size}
 * bytes, reads the echo and closes; a fixed number of attempt slots run at once. Unpaced, a free
 * slot starts the next attempt at once. Paced ({@code --rate}), attempts are due on a fixed
 * schedule and a due attempt waits for a free slot; its latency runs from when it was due, so a
 * stalled target shows up in the percentiles (coordinated-omission correction, as in wrk2).
 * Every attempt has a deadline ({@code --timeout}) from its actual start.
 *
 * <p>Each attempt needs a new socket and selection key: the JDK allocates those, this class
 * allocates nothing else per attempt.
 */
final class ConnectWorker extends LoadWorker {

    /** Owned by the worker thread. One attempt slot, reused. */
    private static final class Attempt {
        SocketChannel channel; // null while the slot is free
        SelectionKey key;
        long originNs;
        long deadlineNs;
        int toWrite;
        int toRead;
    }

    private static final long RETRY_AFTER_FAILED_START_NS = 1_000_000L;

    private final Attempt[] slots;
    private final long intervalNs; // between due times of this worker's attempts; 0 when unpaced
    private long nextDueNs;

    /** @param firstIndex this worker's position among {@code workerCount}, to stagger the schedules */
    ConnectWorker(LoadPlan plan, Timeline timeline, int slotCount, int firstIndex, int workerCount) throws IOException {
        super(plan, timeline);
        this.slots = new Attempt[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new Attempt();
        }
        // Each worker takes an equal share of the total rate, offset so the workers interleave.
        this.intervalNs = plan.paced() ? Math.max(1, workerCount * 1_000_000_000L / plan.rate()) : 0;
        this.nextDueNs = timeline.startNs() + (intervalNs * firstIndex) / workerCount;
    }

    @Override
    void onStart(long nowNs) {
        // Attempts start in onPass.
    }

    @Override
    long onPass(long nowNs) {
        long waitNs = Long.MAX_VALUE;
        for (Attempt a : slots) {
            if (a.channel != null && a.deadlineNs - nowNs <= 0) {
                fail(a, ErrorKind.TIMEOUT, "no echo within " + plan.timeoutNs() / 1_000_000L + " ms");
            }
            if (a.channel == null) {
                if (intervalNs == 0) {
                    begin(a, nowNs, nowNs);
                } else if (nextDueNs - nowNs <= 0) {
                    begin(a, nextDueNs, nowNs);
                    nextDueNs += intervalNs;
                }
            }
            if (a.channel != null) {
                waitNs = Math.min(waitNs, a.deadlineNs - nowNs);
            } else if (intervalNs != 0) {
                waitNs = Math.min(waitNs, nextDueNs - nowNs);
            } else {
                // The attempt failed inside connect() (e.g. no local port left): retry in a
                // millisecond rather than spin, or sleep until the end with the slot unused.
                waitNs = Math.min(waitNs, RETRY_AFTER_FAILED_START_NS);
            }
        }
        return Math.max(0, waitNs);
    }

    private void begin(Attempt a, long originNs, long nowNs) {
        a.originNs = originNs;
        a.deadlineNs = nowNs + plan.timeoutNs();
        a.toWrite = plan.size();
        a.toRead = plan.size();
        try {
            a.channel = connect();
            a.key = a.channel.register(selector, SelectionKey.OP_CONNECT, a);
            if (a.channel.isConnected()) {
                connected(a);
            }
        } catch (IOException e) {
            fail(a, ErrorKind.of(e), e.toString());
        }
    }

    @Override
    void onKey(SelectionKey key) throws IOException {
        Attempt a = (Attempt) key.attachment();
        if (key.isConnectable()) {
            a.channel.finishConnect();
            connected(a);
            return;
        }
        if (key.isReadable()) {
            readBuffer.clear().limit(Math.min(readBuffer.capacity(), Math.max(1, a.toRead)));
            int n = a.channel.read(readBuffer);
            if (n < 0) {
                fail(a, ErrorKind.CLOSED, "connection closed before the echo was complete");
                return;
            }
            a.toRead -= n;
            if (a.toRead == 0) {
                recordLatency(a.originNs, System.nanoTime());
                release(a);
                return;
            }
        }
        if (key.isWritable() && a.toWrite > 0) {
            write(a);
        }
    }

    private void connected(Attempt a) throws IOException {
        counters.addConnected();
        write(a);
    }

    private void write(Attempt a) throws IOException {
        writeBuffer.limit(plan.size()).position(plan.size() - a.toWrite);
        a.toWrite -= a.channel.write(writeBuffer);
        a.key.interestOps(a.toWrite > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    @Override
    void onFailed(SelectionKey key, ErrorKind kind, String message) {
        fail((Attempt) key.attachment(), kind, message);
    }

    private void fail(Attempt a, ErrorKind kind, String message) {
        counters.addError(kind, message);
        release(a);
    }

    /** Closes the attempt's connection (a normal close: FIN, not RST) and frees the slot. */
    private void release(Attempt a) {
        if (a.key != null) {
            a.key.cancel();
        }
        if (a.channel != null) {
            closeQuietly(a.channel);
        }
        a.channel = null;
        a.key = null;
    }
}
