package lb.loop;

/**
 * Any thread. The monotonic clock event loops read once per pass; injected so that tests can drive
 * timer logic without sleeping.
 */
@FunctionalInterface
public interface NanoClock {

    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
}
