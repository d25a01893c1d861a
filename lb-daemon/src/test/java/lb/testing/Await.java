package lb.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Any thread. Waits for a condition with a deadline instead of sleeping a guessed time: the test
 * goes on as soon as the condition holds and fails with a message when the deadline passes.
 */
public final class Await {

    private static final long POLL_NS = 1_000_000L;

    private Await() {
    }

    public static void until(BooleanSupplier condition, Duration timeout, String message) {
        until(condition, timeout, () -> message);
    }

    /** Polls {@code condition} every millisecond until it holds; fails after {@code timeout}. */
    public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> message) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadlineNs > 0) {
                // One last look: the condition may have become true while the deadline passed.
                if (condition.getAsBoolean()) {
                    return;
                }
                fail("not within " + timeout.toMillis() + " ms: " + message.get());
            }
            LockSupport.parkNanos(POLL_NS);
        }
    }
}
