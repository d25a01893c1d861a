package lb.bench.load;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import javax.net.ssl.SSLEngine;

import lb.bench.tls.TlsClient;
import lb.bench.tls.TlsStream;

/**
 * Owned by one load worker thread. TLS connection churn, crr with a handshake: each attempt
 * connects, completes a full TLS handshake with a JDK {@link SSLEngine} on this worker's selector
 * (offering the next {@code --sni} name in turn and the {@code --alpn} protocols), sends
 * {@code size} bytes, reads their echo, sends close_notify and closes; with size 0 it closes as
 * soon as its side of the handshake is complete. Slots, pacing and deadlines are crr's
 * ({@link ConnectWorker}): latency runs from the actual start, or from the due time when paced.
 *
 * <p>Each attempt needs a socket, a selection key and an engine (which allocates its handshake);
 * a slot's buffers ({@link TlsStream}) are reused.
 */
final class TlsWorker extends LoadWorker {

    /** Owned by the worker thread. One attempt slot, reused. */
    private static final class Attempt {
        final TlsStream tls;
        SocketChannel channel; // null while the slot is free
        SelectionKey key;
        long originNs;
        long deadlineNs;
        int toWrite;
        int toRead;
        boolean handshaken;

        Attempt(TlsStream tls) {
            this.tls = tls;
        }
    }

    private static final long RETRY_AFTER_FAILED_START_NS = 1_000_000L;

    private final TlsClient client;
    private final Attempt[] slots;
    private final long intervalNs; // between due times of this worker's attempts; 0 when unpaced
    private long nextDueNs;
    private int nextName;
    /** The first completed handshake's protocol, cipher suite and ALPN choice, for the report. */
    private volatile String negotiated;

    /** @param firstIndex this worker's position among {@code workerCount}: staggers the schedules and the names */
    TlsWorker(LoadPlan plan, Timeline timeline, TlsClient client, int slotCount, int firstIndex, int workerCount)
            throws IOException {
        super(plan, timeline);
        this.client = client;
        this.slots = new Attempt[slotCount];
        SSLEngine prototype = client.engine(0);
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new Attempt(TlsStream.sizedFor(prototype));
        }
        this.intervalNs = plan.paced() ? Math.max(1, workerCount * 1_000_000_000L / plan.rate()) : 0;
        this.nextDueNs = timeline.startNs() + (intervalNs * firstIndex) / workerCount;
        this.nextName = firstIndex;
    }

    /** Any thread: e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384 alpn=h2", or null before a handshake completed. */
    String negotiated() {
        return negotiated;
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
                fail(a, ErrorKind.TIMEOUT, (a.handshaken ? "no echo" : "no TLS handshake") + " within "
                        + plan.timeoutNs() / 1_000_000L + " ms");
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
                waitNs = Math.min(waitNs, RETRY_AFTER_FAILED_START_NS); // as ConnectWorker: no spinning
            }
        }
        return Math.max(0, waitNs);
    }

    private void begin(Attempt a, long originNs, long nowNs) {
        a.originNs = originNs;
        a.deadlineNs = nowNs + plan.timeoutNs();
        a.toWrite = plan.size();
        a.toRead = plan.size();
        a.handshaken = false;
        try {
            a.channel = connect();
            a.key = a.channel.register(selector, SelectionKey.OP_CONNECT, a);
            a.tls.open(client.engine(nextName++), a.channel);
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
        advance(a);
    }

    private void connected(Attempt a) throws IOException {
        counters.addConnected();
        advance(a);
    }

    /** Takes the attempt as far as it goes without waiting, then waits for what it needs. */
    private void advance(Attempt a) throws IOException {
        if (!a.handshaken) {
            int step = a.tls.handshake();
            if (step == TlsStream.CLOSED) {
                fail(a, ErrorKind.CLOSED, "connection closed during the TLS handshake");
                return;
            }
            if (step != TlsStream.DONE) {
                a.key.interestOps(step);
                return;
            }
            a.handshaken = true;
            if (negotiated == null) {
                SSLEngine engine = a.tls.engine();
                String alpn = engine.getApplicationProtocol();
                negotiated = engine.getSession().getProtocol() + " " + engine.getSession().getCipherSuite()
                        + (alpn == null || alpn.isEmpty() ? "" : " alpn=" + alpn);
            }
            if (plan.size() == 0) {
                finish(a);
                return;
            }
        }
        // Writing and reading interleave: a large request is echoed while it is still being sent.
        for (int i = 0; i < SPINS_PER_EVENT || a.tls.hasBufferedRecord(); i++) {
            boolean flushed = !a.tls.hasPendingOutput() || a.tls.flush();
            if (flushed && a.toWrite > 0) {
                writeBuffer.limit(plan.size()).position(plan.size() - a.toWrite);
                a.toWrite -= a.tls.write(writeBuffer);
                continue;
            }
            int n = a.tls.read();
            if (n < 0) {
                fail(a, ErrorKind.CLOSED, "connection closed before the echo was complete");
                return;
            }
            if (n > 0) {
                a.tls.appIn().clear();
                a.toRead -= n;
                if (a.toRead <= 0) {
                    finish(a);
                    return;
                }
                continue;
            }
            break; // nothing to read yet, and nothing to write or the socket is full
        }
        a.key.interestOps(SelectionKey.OP_READ
                | (a.tls.hasPendingOutput() || a.toWrite > 0 ? SelectionKey.OP_WRITE : 0));
    }

    private void finish(Attempt a) {
        recordLatency(a.originNs, System.nanoTime());
        a.tls.closeOutboundQuietly();
        release(a);
    }

    @Override
    void onFailed(SelectionKey key, ErrorKind kind, String message) {
        fail((Attempt) key.attachment(), kind, message);
    }

    private void fail(Attempt a, ErrorKind kind, String message) {
        counters.addError(kind, message);
        release(a);
    }

    /** Closes the attempt's connection (FIN, not RST) and frees the slot. */
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
