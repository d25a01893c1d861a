package lb.log;

/**
 * Any thread. A test-only fault: with {@code -Dlb.test.fault=NAME}, the thread named {@code NAME}
 * (e.g. {@code lb-stats}, {@code EventLoop-0}) throws an {@link AssertionError} from its main loop,
 * so that tests can check what the daemon does when one of its threads dies. The property is read
 * once; unset (always, in production) a check is one comparison with null.
 */
public final class InjectedFault {

    private static final String TARGET = System.getProperty("lb.test.fault");
    // -Dlb.test.stall=THREAD:AFTER_MS:FOR_MS: that thread, AFTER_MS after the JVM started, stalls once for FOR_MS.
    private static final String[] STALL = stall(System.getProperty("lb.test.stall"));
    private static final long STARTED_NS = System.nanoTime();
    private static volatile boolean stalled;

    private InjectedFault() {
    }

    private static String[] stall(String spec) {
        String[] parts = spec == null ? null : spec.split(":");
        return parts != null && parts.length == 3 ? parts : null;
    }

    /**
     * Sleeps once, inside a pass, if this thread is the one {@code -Dlb.test.stall} names and its
     * time has come (tests: a stuck event loop, which the systemd watchdog must notice).
     */
    public static void stall() {
        String[] s = STALL;
        if (s == null || stalled || !s[0].equals(Thread.currentThread().getName())
                || System.nanoTime() - STARTED_NS < Long.parseLong(s[1]) * 1_000_000) {
            return;
        }
        stalled = true;
        try {
            Thread.sleep(Long.parseLong(s[2]));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Throws if this thread is the one the test named. */
    public static void check() {
        if (TARGET != null && TARGET.equals(Thread.currentThread().getName())) {
            throw new AssertionError("injected fault (-Dlb.test.fault=" + TARGET + ")");
        }
    }
}
