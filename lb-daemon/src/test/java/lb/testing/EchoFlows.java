package lb.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Not thread-safe; drives its flows on the calling thread. Many concurrent echo sessions on one
 * selector: each flow writes a seeded random payload in random chunk sizes while reading the echo
 * at the same time, half-closes when it has sent everything, and ends at EOF. Only digests are
 * kept, so hundreds of multi-MiB flows need little memory. The result of each flow says how many
 * bytes went each way, their SHA-256, and whether (and how) it ended.
 */
public final class EchoFlows implements AutoCloseable {

    /** One flow: {@code size} bytes from {@code seed}, written in chunks of 1..{@code maxChunk} bytes. */
    public record Spec(long size, long seed, int maxChunk) {
        public Spec {
            if (size < 0 || maxChunk < 1) {
                throw new IllegalArgumentException("size " + size + ", maxChunk " + maxChunk);
            }
        }
    }

    /** What happened to one flow. */
    public static final class Result {
        public final int index;
        public final Spec spec;
        long sent;
        long received;
        byte[] sentSha;
        byte[] receivedSha;
        boolean eof;
        String error;

        Result(int index, Spec spec) {
            this.index = index;
            this.spec = spec;
        }

        public long sent() {
            return sent;
        }

        public long received() {
            return received;
        }

        public boolean eof() {
            return eof;
        }

        public String error() {
            return error;
        }

        /** Sent everything, got exactly the same bytes back, then a clean EOF. */
        public boolean ok() {
            return error == null && eof && sent == spec.size && received == spec.size
                    && Arrays.equals(sentSha, receivedSha);
        }

        public String describe() {
            return "flow #" + index + " (size " + spec.size + ", seed " + spec.seed + ", maxChunk " + spec.maxChunk
                    + "): sent " + sent + ", received " + received + ", eof " + eof + ", sha sent "
                    + Payload.hex(sentSha) + ", sha received " + Payload.hex(receivedSha)
                    + (error != null ? ", error " + error : "");
        }
    }

    private final class Flow {
        final Result result;
        final SocketChannel channel;
        final SplittableRandom data;
        final SplittableRandom chunks;
        final MessageDigest sentDigest = Payload.sha256();
        final MessageDigest receivedDigest = Payload.sha256();
        byte[] chunk;
        ByteBuffer out; // the chunk being written; null when none
        long generated;
        boolean connected;
        boolean outputShut;
        boolean finished;
        boolean held; // at half its size while the gate is closed

        Flow(Result result, SocketChannel channel) {
            this.result = result;
            this.channel = channel;
            this.data = new SplittableRandom(result.spec.seed);
            this.chunks = new SplittableRandom(~result.spec.seed);
        }

        void onConnectable(SelectionKey key) {
            try {
                if (!channel.finishConnect()) {
                    return;
                }
            } catch (IOException e) {
                fail(key, "connect: " + e);
                return;
            }
            connected = true;
            connectedCount++;
            key.interestOps(0); // until run() starts the flows
        }

        void start(SelectionKey key) throws IOException {
            if (result.spec.size == 0) {
                shutOutput();
            }
            updateInterest(key);
        }

        void onReady(SelectionKey key) {
            try {
                if (key.isWritable()) {
                    write();
                }
                if (key.isReadable()) {
                    read(key);
                }
                if (!finished) {
                    updateInterest(key);
                }
            } catch (IOException e) {
                fail(key, e.toString());
            }
        }

        private void write() throws IOException {
            for (int i = 0; i < 16 && !outputShut; i++) {
                if (out == null && holdAtHalf.getAsBoolean() && generated >= result.spec.size / 2) {
                    held = true; // stays open, idle, until the gate opens
                    return;
                }
                if (out == null) {
                    long left = result.spec.size - generated;
                    int length = (int) Math.min(left, 1 + chunks.nextInt(result.spec.maxChunk));
                    if (chunk == null) {
                        chunk = new byte[result.spec.maxChunk];
                    }
                    Payload.fill(data, chunk, 0, length);
                    sentDigest.update(chunk, 0, length);
                    generated += length;
                    out = ByteBuffer.wrap(chunk, 0, length);
                }
                int n = channel.write(out);
                result.sent += n;
                if (out.hasRemaining()) {
                    return;
                }
                out = null;
                if (generated == result.spec.size) {
                    shutOutput();
                }
            }
        }

        private void shutOutput() throws IOException {
            outputShut = true;
            chunk = null;
            result.sentSha = sentDigest.digest();
            channel.shutdownOutput();
        }

        private void read(SelectionKey key) throws IOException {
            for (int i = 0; i < 16; i++) {
                readBuffer.clear();
                int n = channel.read(readBuffer);
                if (n < 0) {
                    result.eof = true;
                    result.receivedSha = receivedDigest.digest();
                    if (!outputShut) {
                        result.error = "EOF after sending " + result.sent + " of " + result.spec.size + " bytes";
                    }
                    finish(key);
                    return;
                }
                if (n == 0) {
                    return;
                }
                readBuffer.flip();
                receivedDigest.update(readBuffer);
                result.received += n;
            }
        }

        private void updateInterest(SelectionKey key) {
            key.interestOps(SelectionKey.OP_READ | (outputShut || held ? 0 : SelectionKey.OP_WRITE));
        }

        void fail(SelectionKey key, String error) {
            if (result.error == null) {
                result.error = error;
            }
            finish(key);
        }

        void finish(SelectionKey key) {
            if (!finished) {
                finished = true;
                finishedCount++;
                key.cancel();
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // done with it either way
                }
            }
        }
    }

    private final Selector selector;
    private final List<Flow> flows = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private int connectedCount;
    private int finishedCount;
    private BooleanSupplier holdAtHalf = () -> false;

    private EchoFlows(Selector selector) {
        this.selector = selector;
    }

    /**
     * Opens one connection per spec to {@code target} and waits until all are connected (at TCP
     * level), failed, or the timeout passed; nothing is sent yet.
     */
    public static EchoFlows connect(InetSocketAddress target, List<Spec> specs, Duration timeout) throws IOException {
        EchoFlows flows = new EchoFlows(Selector.open());
        try {
            for (int i = 0; i < specs.size(); i++) {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Flow flow = flows.new Flow(new Result(i, specs.get(i)), channel);
                flows.flows.add(flow);
                SelectionKey key = channel.register(flows.selector, SelectionKey.OP_CONNECT, flow);
                try {
                    if (channel.connect(target)) {
                        flow.connected = true;
                        flows.connectedCount++;
                        key.interestOps(0);
                    }
                } catch (IOException e) {
                    flow.fail(key, "connect: " + e);
                }
            }
            long deadlineNs = System.nanoTime() + timeout.toNanos();
            while (flows.connectedCount + flows.finishedCount < flows.flows.size() && System.nanoTime() < deadlineNs) {
                flows.selector.select(key -> ((Flow) key.attachment()).onConnectable(key), 50);
            }
            return flows;
        } catch (IOException | RuntimeException e) {
            flows.close();
            throw e;
        }
    }

    /** Connections established so far. */
    public int connected() {
        return connectedCount;
    }

    /**
     * Runs every connected flow to its end, or until the timeout; flows still running then are
     * reported with the error "unfinished". Returns one result per spec, in spec order.
     */
    public List<Result> run(Duration timeout) throws IOException {
        return run(timeout, () -> false);
    }

    /**
     * As {@link #run(Duration)}, but each flow stops sending at half its size while
     * {@code holdAtHalf} says so, and goes on once it no longer does: every session is then still
     * open, mid-stream, for as long as the caller does something (reloads, say) to the daemon.
     */
    public List<Result> run(Duration timeout, BooleanSupplier holdAtHalf) throws IOException {
        this.holdAtHalf = holdAtHalf;
        for (Flow flow : flows) {
            SelectionKey key = flow.channel.keyFor(selector);
            if (flow.finished) {
                continue;
            }
            if (!flow.connected) {
                flow.fail(key, "not connected within the connect timeout");
                continue;
            }
            try {
                flow.start(key);
            } catch (IOException e) {
                flow.fail(key, e.toString());
            }
        }
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (finishedCount < flows.size() && System.nanoTime() < deadlineNs) {
            selector.select(key -> ((Flow) key.attachment()).onReady(key), 50);
            if (!holdAtHalf.getAsBoolean()) {
                release();
            }
        }
        List<Result> results = new ArrayList<>();
        for (Flow flow : flows) {
            if (!flow.finished) {
                flow.fail(flow.channel.keyFor(selector), "unfinished after " + timeout.toMillis() + " ms");
            }
            results.add(flow.result);
        }
        return results;
    }

    private void release() {
        for (Flow flow : flows) {
            if (flow.held && !flow.finished) {
                flow.held = false;
                flow.updateInterest(flow.channel.keyFor(selector));
            }
        }
    }

    /** Connect and run in one go. */
    public static List<Result> roundTrip(InetSocketAddress target, List<Spec> specs, Duration timeout) throws IOException {
        long startNs = System.nanoTime();
        try (EchoFlows flows = connect(target, specs, timeout)) {
            Duration left = timeout.minusNanos(System.nanoTime() - startNs);
            return flows.run(left.isNegative() ? Duration.ZERO : left);
        }
    }

    /** A failure message listing (up to 10) flows that did not round-trip intact; empty if all did. */
    public static String failures(List<Result> results) {
        StringBuilder text = new StringBuilder();
        int failed = 0;
        for (Result r : results) {
            if (!r.ok()) {
                if (failed < 10) {
                    text.append("\n  ").append(r.describe());
                }
                failed++;
            }
        }
        return failed == 0 ? "" : failed + " of " + results.size() + " flows failed:" + text;
    }

    /** Closes every connection still open. */
    @Override
    public void close() throws IOException {
        for (Flow flow : flows) {
            try {
                flow.channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        selector.close();
    }
}
