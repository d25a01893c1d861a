package lb.bench.herd;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import lb.bench.load.ErrorKind;

/**
 * Any thread: written by every client thread, read by the main thread. Sessions and failures of
 * one herd run: totals, and failures per 10 ms slot of the run, fine enough to time a recovery
 * well below the one-second rows of the report.
 */
final class HerdCounters {

    static final long SLOT_NS = 10_000_000L;

    private final long startNs;
    private final AtomicLongArray errorsPerSlot;
    private final AtomicLongArray errorsByKind = new AtomicLongArray(ErrorKind.values().length);
    private final LongAdder ok = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder givenUp = new LongAdder();

    HerdCounters(long startNs, long durationNs) {
        this.startNs = startNs;
        this.errorsPerSlot = new AtomicLongArray((int) (durationNs / SLOT_NS) + 2);
    }

    void addOk() {
        ok.increment();
    }

    void addError(ErrorKind kind, long nowNs) {
        errors.increment();
        errorsByKind.incrementAndGet(kind.ordinal());
        int slot = (int) Math.min(errorsPerSlot.length() - 1, Math.max(0, (nowNs - startNs) / SLOT_NS));
        errorsPerSlot.incrementAndGet(slot);
    }

    void addGivenUp() {
        givenUp.increment();
    }

    long ok() {
        return ok.sum();
    }

    long errors() {
        return errors.sum();
    }

    long errors(ErrorKind kind) {
        return errorsByKind.get(kind.ordinal());
    }

    long givenUp() {
        return givenUp.sum();
    }

    /**
     * Time from {@code killNs} until the start of the first {@code quietNs} without a failure
     * (0 when none came after the kill); -1 when no such quiet stretch began before {@code endNs}.
     */
    long recoveryNs(long killNs, long endNs, long quietNs) {
        int killSlot = (int) ((killNs - startNs) / SLOT_NS);
        int endSlot = (int) Math.min(errorsPerSlot.length(), (endNs - startNs) / SLOT_NS);
        long quietSlots = quietNs / SLOT_NS;
        int quietSince = killSlot;
        for (int slot = killSlot; slot < endSlot; slot++) {
            if (errorsPerSlot.get(slot) > 0) {
                quietSince = slot + 1;
            } else if (slot + 1 - quietSince >= quietSlots) {
                return Math.max(0, startNs + quietSince * SLOT_NS - killNs);
            }
        }
        return -1;
    }
}
