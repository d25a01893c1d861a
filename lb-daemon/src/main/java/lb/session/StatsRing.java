package lb.session;

import org.jctools.queues.SpscArrayQueue;

/**
 * One event loop produces, the StatsAggregator thread ({@code lb.stats}) consumes. The session
 * events of one loop:
 * two single-producer single-consumer JCTools queues over a fixed set of {@link SessionEvent}
 * slots, one carrying filled slots to the aggregator and one carrying them back. When no slot is
 * free the event is dropped and counted: the loop never waits and never allocates for stats.
 *
 * <p>Here beside the {@link Session}s that fill it, so that sessions need nothing from the stats
 * package above them.
 */
public final class StatsRing {

    /** Slots per loop: at ~80 bytes each, 640 KiB per loop, room for bursts of 8192 closes between drains. */
    public static final int DEFAULT_SLOTS = 8192;

    private final SpscArrayQueue<SessionEvent> filled;
    private final SpscArrayQueue<SessionEvent> free;
    // Written by the loop only; volatile so that the aggregator reads a recent value.
    private volatile long dropped;

    public StatsRing(int slots) {
        this.filled = new SpscArrayQueue<>(slots);
        this.free = new SpscArrayQueue<>(slots);
        for (int i = 0; i < slots; i++) {
            free.offer(new SessionEvent());
        }
    }

    /** Event loop: a slot to fill, or null when every slot is in flight (the event is then dropped and counted). */
    public SessionEvent claim() {
        SessionEvent event = free.relaxedPoll();
        if (event == null) {
            dropped = dropped + 1; // single writer
        }
        return event;
    }

    /** Event loop: hands a filled slot to the aggregator. */
    public void publish(SessionEvent event) {
        filled.offer(event); // cannot fail: there are no more slots than room
    }

    /** Aggregator: the next filled slot, or null; give it back with {@link #recycle}. */
    public SessionEvent poll() {
        return filled.relaxedPoll();
    }

    /** Aggregator: the slot is read; the loop may fill it again. */
    public void recycle(SessionEvent event) {
        event.clear();
        free.offer(event);
    }

    /** Any thread: events dropped so far because the aggregator was behind. */
    public long dropped() {
        return dropped;
    }
}
