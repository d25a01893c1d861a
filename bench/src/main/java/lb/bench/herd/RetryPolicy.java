package lb.bench.herd;

import java.util.Locale;
import java.util.SplittableRandom;

import picocli.CommandLine;

/**
 * Any thread (immutable). What a herd client does after a failed session. Backoff follows "full
 * jitter" from the AWS Architecture Blog ("Exponential Backoff And Jitter", 2015): sleep a uniform
 * random time in [0, min(cap, base x 2^attempt)), so clients that failed together do not come back
 * together.
 */
public enum RetryPolicy {
    /** The request is given up at once; the client goes straight on to its next session. */
    NONE,
    /** The request is retried at once, up to {@link #MAX_ATTEMPTS} attempts in all. */
    IMMEDIATE,
    /** The request is retried after an exponential backoff with full jitter, up to {@link #MAX_ATTEMPTS}. */
    JITTERED;

    /** Attempts per request, the first included, when retrying. */
    static final int MAX_ATTEMPTS = 4;
    static final long BASE_NS = 10_000_000L;   // 10 ms
    static final long CAP_NS = 1_000_000_000L; // 1 s

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    boolean retries() {
        return this != NONE;
    }

    /** How long to wait before retry number {@code attempt + 1} (attempt counts from 0). */
    long backoffNs(int attempt, SplittableRandom random) {
        if (this != JITTERED) {
            return 0;
        }
        long ceilingNs = Math.min(CAP_NS, BASE_NS << Math.min(attempt, 20));
        return random.nextLong(ceilingNs);
    }

    /** Any thread. {@code --retry none|immediate|jittered}. */
    public static final class Converter implements CommandLine.ITypeConverter<RetryPolicy> {
        @Override
        public RetryPolicy convert(String value) {
            for (RetryPolicy policy : values()) {
                if (policy.cliName().equalsIgnoreCase(value)) {
                    return policy;
                }
            }
            throw new CommandLine.TypeConversionException("unknown retry policy '" + value
                    + "': use none, immediate or jittered");
        }
    }
}
