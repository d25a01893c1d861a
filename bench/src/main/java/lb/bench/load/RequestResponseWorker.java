package lb.bench.load;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Owned by one load worker thread. Ping-pong of {@code size} bytes over persistent connections to
 * an echo target: one request outstanding per connection, the next sent when the echo is back.
 *
 * <p>Unpaced, latency runs from the actual send. Paced ({@code --rate}), every connection has a
 * schedule of intended send times, and latency runs from the intended time: when the target
 * stalls, the requests that should have been sent meanwhile are charged the wait they would have
 * seen, instead of silently not being sent ("coordinated omission", as wrk2 corrects it).
 */
final class RequestResponseWorker extends LoadWorker {

    /** Owned by the worker thread. */
    private static final class Connection {
        final SocketChannel channel;
        SelectionKey key;
        boolean open;
        boolean outstanding;
        int toWrite;
        int toRead;
        long originNs;        // intended (paced) or actual send time of the outstanding request
        long nextIntendedNs;  // paced only

        Connection(SocketChannel channel, long firstIntendedNs) {
            this.channel = channel;
            this.nextIntendedNs = firstIntendedNs;
        }
    }

    private final Connection[] connections;
    private int connectionCount;
    private final int firstIndex;
    private final int indexStep;
    private final int count;
    private final long intervalNs; // per connection; 0 when unpaced

    /**
     * @param firstIndex this worker's first connection among all ({@code indexStep} apart), to
     *                   stagger the paced schedules evenly over the whole run
     */
    RequestResponseWorker(LoadPlan plan, Timeline timeline, int firstIndex, int indexStep, int count) throws IOException {
        super(plan, timeline);
        this.firstIndex = firstIndex;
        this.indexStep = indexStep;
        this.count = count;
        this.connections = new Connection[count];
        this.intervalNs = plan.paced() ? Math.max(1, plan.connections() * 1_000_000_000L / plan.rate()) : 0;
    }

    @Override
    void onStart(long nowNs) throws IOException {
        for (int i = 0; i < count; i++) {
            int global = firstIndex + i * indexStep;
            // In double: interval times index can pass Long.MAX_VALUE at 100k connections and --rate 1.
            long firstIntendedNs = timeline.startNs() + (long) ((double) intervalNs * global / plan.connections());
            SocketChannel channel;
            try {
                channel = connect();
            } catch (IOException e) {
                counters.addError(ErrorKind.of(e), e.toString());
                continue;
            }
            Connection c = new Connection(channel, firstIntendedNs);
            c.key = channel.register(selector, SelectionKey.OP_CONNECT, c);
            connections[connectionCount++] = c;
            if (channel.isConnected()) {
                try {
                    connected(c);
                } catch (IOException e) {
                    onFailed(c.key, ErrorKind.of(e), e.toString());
                }
            }
        }
    }

    @Override
    long onPass(long nowNs) {
        if (intervalNs == 0) {
            return Long.MAX_VALUE; // unpaced: the next request goes out as the echo arrives
        }
        long waitNs = Long.MAX_VALUE;
        for (int i = 0; i < connectionCount; i++) {
            Connection c = connections[i];
            if (!c.open || c.outstanding) {
                continue;
            }
            if (c.nextIntendedNs - nowNs <= 0) {
                try {
                    send(c, c.nextIntendedNs);
                } catch (IOException e) {
                    onFailed(c.key, ErrorKind.of(e), e.toString());
                }
            } else {
                waitNs = Math.min(waitNs, c.nextIntendedNs - nowNs);
            }
        }
        return waitNs;
    }

    @Override
    void onKey(SelectionKey key) throws IOException {
        Connection c = (Connection) key.attachment();
        if (key.isConnectable()) {
            c.channel.finishConnect();
            connected(c);
            return;
        }
        if (key.isReadable()) {
            // Read no further than the echo owed, so every byte read belongs to this request.
            readBuffer.clear().limit(Math.min(readBuffer.capacity(), Math.max(1, c.toRead)));
            int n = c.channel.read(readBuffer);
            if (n < 0) {
                onFailed(key, ErrorKind.CLOSED, "connection closed by the target");
                return;
            }
            if (!c.outstanding && n > 0) {
                onFailed(key, ErrorKind.OTHER, "bytes from the target with no request outstanding");
                return;
            }
            c.toRead -= n;
            if (c.outstanding && c.toRead == 0) {
                answered(c, System.nanoTime());
                return;
            }
        }
        if (key.isValid() && key.isWritable() && c.toWrite > 0) {
            write(c);
        }
    }

    private void connected(Connection c) throws IOException {
        counters.addConnected();
        c.open = true;
        c.key.interestOps(SelectionKey.OP_READ);
        if (intervalNs == 0) {
            send(c, System.nanoTime());
        }
    }

    private void answered(Connection c, long nowNs) throws IOException {
        c.outstanding = false;
        recordLatency(c.originNs, nowNs);
        if (intervalNs == 0) {
            send(c, nowNs);
            return;
        }
        c.nextIntendedNs += intervalNs;
        if (c.nextIntendedNs - nowNs <= 0) {
            send(c, c.nextIntendedNs); // behind schedule: at once, charged from when it was due
        }
    }

    private void send(Connection c, long originNs) throws IOException {
        c.outstanding = true;
        c.originNs = originNs;
        c.toWrite = plan.size();
        c.toRead = plan.size();
        write(c);
    }

    private void write(Connection c) throws IOException {
        writeBuffer.limit(plan.size()).position(plan.size() - c.toWrite);
        c.toWrite -= c.channel.write(writeBuffer);
        // OP_WRITE only while a request is half written; reading always, to see the echo and closes.
        c.key.interestOps(c.toWrite > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    @Override
    void onFailed(SelectionKey key, ErrorKind kind, String message) {
        counters.addError(kind, message);
        ((Connection) key.attachment()).open = false;
        key.cancel();
        closeQuietly(key.channel());
    }
}
