package lb.bench.load;

import java.util.EnumMap;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * Not thread-safe; made by the main thread once the workers have ended. What a run measured,
 * summed over the workers.
 *
 * @param operations       operations that began in the measured window (rr requests, crr and tls connections)
 * @param bytes            bytes written (push) or read (pull) in the measured window
 * @param echoedBytes      bytes read back and discarded in a push run (whole run)
 * @param connected        connections that completed their connect (whole run)
 * @param errors           failures by kind (whole run, warm-up included)
 * @param firstError       the message of the first failure, or null
 * @param latencies        latencies of the measured operations, in ns
 * @param bytesPerStream   measured bytes of each throughput stream; -1 for one that never opened
 * @param measuredSeconds  length of the measured window
 * @param tls              tls: the first completed handshake's protocol, cipher suite and ALPN choice, or null
 */
record RunResult(long operations, long bytes, long echoedBytes, long connected, Map<ErrorKind, Long> errors,
                 String firstError, Histogram latencies, long[] bytesPerStream, double measuredSeconds,
                 String tls) {

    long errorCount() {
        long n = 0;
        for (long e : errors.values()) {
            n += e;
        }
        return n;
    }

    static Map<ErrorKind, Long> noErrors() {
        Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
        for (ErrorKind kind : ErrorKind.values()) {
            errors.put(kind, 0L);
        }
        return errors;
    }
}
