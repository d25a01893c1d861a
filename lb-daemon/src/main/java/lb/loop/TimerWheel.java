package lb.loop;

/**
 * Not thread-safe: owned by one EventLoop thread. A hashed timer wheel (Varghese and Lauck, "Hashed
 * and Hierarchical Timing Wheels", 1987, scheme 6): O(1) schedule and cancel, coarse ticks, timers
 * far in the future simply stay in their slot for more revolutions.
 *
 * <p>Timers are intrusive list nodes ({@link Timer} is a base class), so scheduling, re-scheduling
 * and cancelling allocate nothing: a session is its own timer. A timer fires at or after its
 * deadline, at most about one tick late on a loop that is not overloaded.
 */
public final class TimerWheel {

    private long failures;

    /** A schedulable node; subclass it. Not thread-safe: only the wheel's loop touches it. */
    public abstract static class Timer {
        private long deadlineNs;
        private int slot = -1;
        private Timer prev;
        private Timer next;

        /** Runs on the loop when the deadline has passed; may re-schedule itself. */
        protected abstract void onTimeout(long nowNs);

        /**
         * Runs on the loop when {@link #onTimeout} threw: release what the timer's owner holds.
         * The wheel goes on with the other timers either way (one bad timer never stops a loop).
         */
        protected void onTimeoutFailed(Throwable cause) {
        }

        public final boolean isScheduled() {
            return slot >= 0;
        }

        public final long deadlineNs() {
            return deadlineNs;
        }
    }

    private final long startNs;
    private final long tickNs;
    private final int mask;
    private final Timer[] heads;
    /** First tick not yet processed; every timer's tick is >= this. */
    private long nextTick;
    private int size;

    /**
     * @param slots power of two; {@code slots * tickNs} is one revolution
     */
    public TimerWheel(long tickNs, int slots, long startNs) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two: " + slots);
        }
        this.startNs = startNs;
        this.tickNs = tickNs;
        this.mask = slots - 1;
        this.heads = new Timer[slots];
    }

    public int size() {
        return size;
    }

    public long tickNs() {
        return tickNs;
    }

    /** Schedules {@code timer} (moving it if already scheduled) to fire at or after {@code deadlineNs}. */
    public void schedule(Timer timer, long deadlineNs) {
        if (timer.slot >= 0) {
            unlink(timer);
        }
        long tick = Math.max(tickOf(deadlineNs), nextTick);
        int slot = (int) (tick & mask);
        timer.deadlineNs = deadlineNs;
        timer.slot = slot;
        timer.prev = null;
        timer.next = heads[slot];
        if (timer.next != null) {
            timer.next.prev = timer;
        }
        heads[slot] = timer;
        size++;
    }

    /** Cancels {@code timer} if scheduled; harmless otherwise. */
    public void cancel(Timer timer) {
        if (timer.slot >= 0) {
            unlink(timer);
        }
    }

    /**
     * Fires every timer whose tick has fully elapsed by {@code nowNs}, at most {@code limit} of them
     * (the rest fire on the next poll, so one burst of expiries cannot starve I/O). A timer thus
     * fires at the first tick boundary after its deadline: never early, at most one tick late, and
     * polls within one tick cost nothing.
     *
     * @return how many fired
     */
    public int poll(long nowNs, int limit) {
        long lastFullTick = tickOf(nowNs) - 1;
        // After a long stall, one revolution visits every slot; more would only revisit them.
        long firstTick = Math.max(nextTick, lastFullTick - mask);
        int fired = 0;
        for (long tick = firstTick; tick <= lastFullTick; tick++) {
            // Timers scheduled while this slot is walked land in later ticks, never behind the walk.
            nextTick = tick + 1;
            Timer timer = heads[(int) (tick & mask)];
            while (timer != null) {
                Timer following = timer.next;
                if (timer.deadlineNs <= nowNs) { // later ones belong to a future revolution
                    if (fired == limit) {
                        nextTick = tick;
                        return fired;
                    }
                    unlink(timer);
                    fired++;
                    fire(timer, nowNs);
                }
                timer = following;
            }
        }
        return fired;
    }

    private void fire(Timer timer, long nowNs) {
        try {
            timer.onTimeout(nowNs);
        } catch (Throwable t) {
            failures++;
            try {
                timer.onTimeoutFailed(t);
            } catch (Throwable again) {
                failures++; // the owner could not release itself either: nothing more to do here
            }
        }
    }

    /** Timer callbacks that threw since the wheel was made (each handed to its timer's onTimeoutFailed). */
    public long failures() {
        return failures;
    }

    /**
     * How long the loop may block before the next poll is due: until the end of the first tick
     * whose slot holds a timer, 0 when elapsed ticks are still unprocessed, or -1 when the wheel is
     * empty. Empty slots are skipped, so an idle loop with a few long timers does not wake every tick.
     */
    public long nanosUntilNextTick(long nowNs) {
        if (size == 0) {
            return -1;
        }
        long nowTick = tickOf(nowNs);
        if (nextTick < nowTick) {
            return 0;
        }
        for (long tick = nowTick; tick <= nowTick + mask; tick++) {
            if (heads[(int) (tick & mask)] != null) {
                return startNs + (tick + 1) * tickNs - nowNs;
            }
        }
        return 0; // unreachable while size > 0
    }

    private long tickOf(long timeNs) {
        long sinceStart = timeNs - startNs;
        return sinceStart <= 0 ? 0 : sinceStart / tickNs;
    }

    private void unlink(Timer timer) {
        if (timer.prev != null) {
            timer.prev.next = timer.next;
        } else {
            heads[timer.slot] = timer.next;
        }
        if (timer.next != null) {
            timer.next.prev = timer.prev;
        }
        timer.prev = null;
        timer.next = null;
        timer.slot = -1;
        size--;
    }
}
