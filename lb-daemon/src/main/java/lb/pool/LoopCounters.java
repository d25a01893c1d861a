package lb.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Each event loop writes its own slots; any thread reads. A few counters (bytes each way, sessions)
 * kept per loop, so the data path adds to them with a plain store and no atomic instruction, no
 * lock and no sharing of a cache line between loops; readers sum the loops' slots.
 *
 * <p>Opaque accesses: a reader sees each slot whole (no torn long) and eventually, which is all a
 * counter shown once a second needs.
 *
 * <p>Here in {@code lb.pool}, the lowest package that keeps such counters ({@link Backend#traffic()}),
 * so that listeners, sessions and the stats thread above all share one kind.
 */
public final class LoopCounters {

    /** Counter of bytes from clients towards backends, first in every traffic counter set. */
    public static final int UP = 0;
    /** Counter of bytes from backends towards clients. */
    public static final int DOWN = 1;

    /** Slots per loop: a 64-byte cache line of longs, so two loops never write the same line. */
    private static final int STRIDE = 8;
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] slots;
    private final int counters;

    /** {@code counters} (at most 8) counters for each of {@code loops} loops. */
    public LoopCounters(int loops, int counters) {
        if (counters < 1 || counters > STRIDE) {
            throw new IllegalArgumentException("1.." + STRIDE + " counters, not " + counters);
        }
        this.counters = counters;
        // One line of padding in front, so that slot 0 does not share a line with the array header.
        this.slots = new long[(loops + 1) * STRIDE];
    }

    /** Event loop {@code loop} only: adds {@code n} to its slot of {@code counter}. */
    public void add(int loop, int counter, long n) {
        int i = (loop + 1) * STRIDE + counter;
        SLOTS.setOpaque(slots, i, (long) SLOTS.getOpaque(slots, i) + n);
    }

    /** Any thread: the sum over the loops. */
    public long sum(int counter) {
        if (counter < 0 || counter >= counters) {
            throw new IllegalArgumentException("no counter " + counter);
        }
        long total = 0;
        for (int i = STRIDE + counter; i < slots.length; i += STRIDE) {
            total += (long) SLOTS.getOpaque(slots, i);
        }
        return total;
    }
}
