package lb.bench.load;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Written by one load worker thread, read by the main thread (progress, summary). Single writer:
 * each update is a plain read and an opaque write, no read-modify-write per operation; the reader
 * sees a recent value, and exact ones after joining the worker.
 */
final class WorkerCounters {

    private final AtomicLong operations = new AtomicLong();
    private final AtomicLong measuredOperations = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong measuredBytes = new AtomicLong();
    private final AtomicLong echoedBytes = new AtomicLong();
    private final AtomicLong connected = new AtomicLong();
    private final AtomicLongArray errors = new AtomicLongArray(ErrorKind.values().length);
    private volatile String firstError;

    void addOperation(boolean measured) {
        operations.setOpaque(operations.getPlain() + 1);
        if (measured) {
            measuredOperations.setOpaque(measuredOperations.getPlain() + 1);
        }
    }

    void addBytes(long n, boolean measured) {
        bytes.setOpaque(bytes.getPlain() + n);
        if (measured) {
            measuredBytes.setOpaque(measuredBytes.getPlain() + n);
        }
    }

    void addEchoedBytes(long n) {
        echoedBytes.setOpaque(echoedBytes.getPlain() + n);
    }

    void addConnected() {
        connected.setOpaque(connected.getPlain() + 1);
    }

    void addError(ErrorKind kind, String message) {
        int i = kind.ordinal();
        errors.setOpaque(i, errors.getPlain(i) + 1);
        if (firstError == null) {
            firstError = message; // once per run, not per error
        }
    }

    long operations() {
        return operations.getOpaque();
    }

    long measuredOperations() {
        return measuredOperations.getOpaque();
    }

    long bytes() {
        return bytes.getOpaque();
    }

    long measuredBytes() {
        return measuredBytes.getOpaque();
    }

    long echoedBytes() {
        return echoedBytes.getOpaque();
    }

    long connected() {
        return connected.getOpaque();
    }

    long errors(ErrorKind kind) {
        return errors.getOpaque(kind.ordinal());
    }

    String firstError() {
        return firstError;
    }
}
