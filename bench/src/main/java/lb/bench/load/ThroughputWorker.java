package lb.bench.load;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Owned by one load worker thread. Long-lived streams: push writes as fast as the target takes
 * bytes (reading back and discarding whatever an echo target returns); pull reads as fast as a
 * source target sends. Bytes written (push) or read (pull) are the measure.
 */
final class ThroughputWorker extends LoadWorker {

    /** Owned by the worker thread; read by the main thread after the worker has ended. */
    static final class Stream {
        final SocketChannel channel;
        long measuredBytes;

        Stream(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private final int streamCount;
    private final Stream[] streams;
    private final boolean push;

    ThroughputWorker(LoadPlan plan, Timeline timeline, int streamCount) throws IOException {
        super(plan, timeline);
        this.streamCount = streamCount;
        this.streams = new Stream[streamCount];
        this.push = plan.direction() == Direction.PUSH;
    }

    @Override
    void onStart(long nowNs) throws IOException {
        for (int i = 0; i < streamCount; i++) {
            SocketChannel channel;
            try {
                channel = connect();
            } catch (IOException e) {
                counters.addError(ErrorKind.of(e), e.toString());
                continue;
            }
            streams[i] = new Stream(channel);
            SelectionKey key = channel.register(selector, SelectionKey.OP_CONNECT, streams[i]);
            if (channel.isConnected()) {
                connected(key);
            }
        }
    }

    @Override
    long onPass(long nowNs) {
        return Long.MAX_VALUE; // nothing scheduled: only readiness matters
    }

    @Override
    void onKey(SelectionKey key) throws IOException {
        Stream stream = (Stream) key.attachment();
        if (key.isConnectable()) {
            stream.channel.finishConnect();
            connected(key);
            return;
        }
        boolean measured = timeline.measures(passNs);
        if (key.isReadable()) {
            for (int i = 0; i < SPINS_PER_EVENT; i++) {
                readBuffer.clear();
                int n = stream.channel.read(readBuffer);
                if (n < 0) {
                    // A throughput test ends only by our deadline; the target ending a stream is a failure.
                    onFailed(key, ErrorKind.CLOSED, "stream closed by the target");
                    return;
                }
                if (n == 0) {
                    break;
                }
                if (push) {
                    counters.addEchoedBytes(n);
                } else {
                    count(stream, n, measured);
                }
            }
        }
        if (push && key.isValid() && key.isWritable()) {
            for (int i = 0; i < SPINS_PER_EVENT; i++) {
                writeBuffer.clear(); // any bytes will do, so always the whole buffer
                int n = stream.channel.write(writeBuffer);
                count(stream, n, measured);
                if (writeBuffer.hasRemaining()) {
                    break;
                }
            }
        }
    }

    private void connected(SelectionKey key) {
        counters.addConnected();
        key.interestOps(push ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    private void count(Stream stream, int n, boolean measured) {
        counters.addBytes(n, measured);
        if (measured) {
            stream.measuredBytes += n;
        }
    }

    @Override
    void onFailed(SelectionKey key, ErrorKind kind, String message) {
        counters.addError(kind, message);
        key.cancel();
        closeQuietly(key.channel());
    }

    /** Main thread, after the worker ended: bytes per stream in the measured window; -1 for a stream that never opened. */
    long[] measuredBytesPerStream() {
        long[] bytes = new long[streamCount];
        for (int i = 0; i < streamCount; i++) {
            bytes[i] = streams[i] == null ? -1 : streams[i].measuredBytes;
        }
        return bytes;
    }
}
