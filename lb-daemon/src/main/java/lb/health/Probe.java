package lb.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

import lb.loop.KeyHandler;

/**
 * Owned by the HealthChecker thread. One probe of one backend: a non-blocking connect, then
 * (depending on the kind) a request written and a reply read, all on the checker's selector, until
 * the subclass {@linkplain #judge judges} the reply, the connection fails, or the deadline passes.
 * The channel is closed whatever the outcome; the verdict goes to the {@link Verdicts} callback.
 */
abstract class Probe implements KeyHandler {

    /** Where a probe's verdict goes. */
    interface Verdicts {
        /** @param failure null when the probe passed, else why it failed */
        void onVerdict(Probe probe, String failure, long nowNs);
    }

    private final Verdicts verdicts;
    private final long deadlineNs;
    private final ByteBuffer request;
    private final ByteBuffer reply;
    private SocketChannel channel;
    private SelectionKey key;
    private boolean done;

    /**
     * @param request    written once connected (not copied: callers share one array per backend)
     * @param replyBytes the most a probe reads: the subclass judges at the latest when this much arrived
     */
    Probe(Verdicts verdicts, long deadlineNs, byte[] request, int replyBytes) {
        this.verdicts = verdicts;
        this.deadlineNs = deadlineNs;
        this.request = ByteBuffer.wrap(request);
        this.reply = ByteBuffer.allocate(Math.max(replyBytes, 1));
    }

    /**
     * Starts connecting, registered on {@code selector} (the HealthChecker's; a test's own in unit
     * tests); a verdict may come at once (e.g. the address is unreachable).
     */
    final void start(Selector selector, InetSocketAddress address, long nowNs) {
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            boolean connected = channel.connect(address);
            key = channel.register(selector, connected ? 0 : SelectionKey.OP_CONNECT, this);
            if (connected) {
                onConnected(nowNs);
            }
        } catch (IOException | RuntimeException e) {
            finish(reason(e), nowNs);
        }
    }

    long deadlineNs() {
        return deadlineNs;
    }

    boolean isDone() {
        return done;
    }

    /** The deadline passed before a verdict. */
    final void expire(long nowNs, long timeoutMs) {
        finish("timeout after " + timeoutMs + " ms", nowNs);
    }

    /** Whether the probe reads a reply at all (a TCP check passes once connected). */
    abstract boolean readsReply();

    /**
     * The verdict on what arrived so far: null to wait for more, "" for a pass, else why it failed.
     *
     * @param eof the backend closed its side; nothing more will come
     */
    abstract String judge(ByteBuffer reply, boolean eof);

    @Override
    public final void onReady(SelectionKey readyKey, long nowNs) {
        if (done) {
            return;
        }
        try {
            if (readyKey.isConnectable()) {
                if (channel.finishConnect()) {
                    onConnected(nowNs);
                }
                return;
            }
            if (readyKey.isWritable()) {
                writeRequest(nowNs);
            }
            if (!done && readyKey.isReadable()) {
                int n = channel.read(reply);
                boolean eof = n < 0;
                ByteBuffer view = reply.duplicate().flip();
                if (eof && !view.hasRemaining()) {
                    finish("connection closed without a reply", nowNs);
                    return;
                }
                String verdict = judge(view, eof || !reply.hasRemaining());
                if (verdict != null) {
                    finish(verdict.isEmpty() ? null : verdict, nowNs);
                } else if (eof) {
                    finish("connection closed after " + view.remaining() + " bytes", nowNs);
                }
            }
        } catch (IOException e) {
            finish(reason(e), nowNs);
        }
    }

    @Override
    public final void onFailure(Throwable cause) {
        finish("internal error: " + cause, System.nanoTime());
    }

    private void onConnected(long nowNs) throws IOException {
        if (!readsReply()) {
            finish(null, nowNs);
            return;
        }
        writeRequest(nowNs);
    }

    private void writeRequest(long nowNs) throws IOException {
        if (request.hasRemaining()) {
            channel.write(request);
        }
        if (!done) {
            key.interestOps(request.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
    }

    private void finish(String failure, long nowNs) {
        if (done) {
            return;
        }
        done = true;
        if (channel != null) {
            try {
                channel.close(); // also cancels the key
            } catch (IOException ignored) {
                // closing a probe socket: nothing left to do
            }
        }
        verdicts.onVerdict(this, failure, nowNs);
    }

    private static String reason(Exception e) {
        String message = e.getMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        return message.toLowerCase(java.util.Locale.ROOT);
    }
}
