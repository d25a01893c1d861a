package lb.log;

/**
 * Any thread. A test-only fault: with {@code -Dlb.test.fault=NAME}, the thread named {@code NAME}
 * (e.g. {@code lb-stats}, {@code EventLoop-0}) throws an {@link AssertionError} from its main loop,
 * so that tests can check what the daemon does when one of its threads dies. The property is read
 * once; unset (always, in production) a check is one comparison with null.
 */
public final class InjectedFault {

    private static final String TARGET = System.getProperty("lb.test.fault");

    private InjectedFault() {
    }

    /** Throws if this thread is the one the test named. */
    public static void check() {
        if (TARGET != null && TARGET.equals(Thread.currentThread().getName())) {
            throw new AssertionError("injected fault (-Dlb.test.fault=" + TARGET + ")");
        }
    }
}
