package lb.bench.backend;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Written by the backend's selector thread only, read by any thread. Counters of one test backend,
 * for tests and the exit summary. Single writer, so each update is a plain read plus an opaque
 * write: no read-modify-write instruction per chunk.
 */
public final class BackendStats {

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong open = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong handshakes = new AtomicLong();

    void addAccepted() {
        accepted.setOpaque(accepted.getPlain() + 1);
        open.setOpaque(open.getPlain() + 1);
    }

    void addClosed() {
        open.setOpaque(open.getPlain() - 1);
    }

    void addReceived(long bytes) {
        received.setOpaque(received.getPlain() + bytes);
    }

    void addSent(long bytes) {
        sent.setOpaque(sent.getPlain() + bytes);
    }

    void addRequest() {
        requests.setOpaque(requests.getPlain() + 1);
    }

    void addHandshake() {
        handshakes.setOpaque(handshakes.getPlain() + 1);
    }

    public long accepted() {
        return accepted.getOpaque();
    }

    /** Connections open now. */
    public long open() {
        return open.getOpaque();
    }

    public long bytesReceived() {
        return received.getOpaque();
    }

    public long bytesSent() {
        return sent.getOpaque();
    }

    /** HTTP requests answered (http backends only). */
    public long requests() {
        return requests.getOpaque();
    }

    /** TLS handshakes completed (tls-echo backends only). */
    public long handshakes() {
        return handshakes.getOpaque();
    }
}
