package lb.systemd;

/**
 * Called on the {@code lb-watchdog} thread only; an implementation reads other threads' progress
 * through fields they publish (volatile or atomic), and never blocks. What {@link Watchdog} asks
 * before each {@code WATCHDOG=1}: is every part of the daemon that must keep turning (each event
 * loop, the control thread) still doing so?
 */
@FunctionalInterface
public interface Liveness {

    /**
     * Null when every part has made progress within {@code maxAgeNs} of {@code nowNs}
     * ({@link System#nanoTime()} scale); otherwise what is stuck, for the log, such as
     * {@code "EventLoop-1 has been in one pass for 12 s"}. A part that is idle (a loop asleep in
     * select with nothing to do) is not stuck: what counts is a pass that has not ended, or work
     * that waits and is not taken.
     */
    String stuck(long nowNs, long maxAgeNs);
}
