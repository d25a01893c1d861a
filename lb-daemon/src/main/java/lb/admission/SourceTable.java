package lb.admission;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Any thread: one table is shared by all the event-loop threads of one listener, which call
 * {@link #tryAdmit} and {@link #release} without locks and without allocating; {@link #top} is for
 * a control thread. Per source (a client address masked to {@code ipv4PrefixBits} or
 * {@code ipv6PrefixBits}): connections open now, against {@code maxConnectionsPerSource}, and a
 * token bucket for new connections ({@code ratePerSecond}, {@code burst}) kept as {@link Gcra}'s
 * one arrival-time word, so that a token is one CAS.
 *
 * <p><b>Bounded.</b> At most {@code maxTracked} sources are held, in an open-addressing table of
 * {@code capacity >= 2 * maxTracked} slots where a source lives within {@value #WINDOW} slots of its
 * hash (the hash is seeded per table, so clients cannot aim at one window). To take in a new source
 * when the table is full (or its window is), an idle source (no open connection) is evicted: the
 * least recently seen of those in the new source's window, else of the next {@value #CLOCK_BATCH}
 * slots under a clock hand (up to four such sweeps). A source with open connections is never
 * evicted, so its concurrency limit holds exactly; when no idle source is found, the new one is
 * refused ({@link #REFUSED_TABLE_FULL}). An evicted source that returns starts afresh with a full
 * bucket and no refusals: that is the price of the bound.
 *
 * <p><b>Rate shown.</b> {@link SourceFigures#ratePerSecond()} counts admissions in whole
 * clock seconds and estimates the last second as {@code previous * (1 - elapsed) + current}, where
 * {@code elapsed} is the fraction of the current second gone: the sliding-window estimate, exact
 * for an even rate, with no per-admission state beyond two counters.
 *
 * <p><b>How the lock-free table works.</b> Each slot has a meta word (state, generation, a 16-bit
 * fingerprint of the key, open connections) in {@code meta}, and its key and figures in
 * {@code data}. States: EMPTY → RESERVED (one thread writes the key) → CLAIMED (key readable, not
 * yet known to be the only entry for that source) → LIVE; an idle LIVE slot may be evicted back to
 * RESERVED or EMPTY. Every change of occupant bumps the generation, so a thread holding an old meta
 * word fails its CAS (ABA; 22 bits of generation). Admitting is one CAS on meta (count + 1, only
 * below the limit and only while LIVE), then one on the bucket; the count makes the slot
 * unevictable, and since count and state share a word, eviction and admission exclude each other.
 * Two threads may claim two slots for the same new source: after publishing its claim, a thread
 * scans the window again: a LIVE entry or an earlier-placed claim for the same source wins and
 * the claim withdraws; a later-placed claim is withdrawn by it. Each claimer writes its claim and
 * then reads the other's slot, so at least one sees the other (Dekker), and at most one entry per
 * source becomes LIVE. A thread that meets a CLAIMED entry for its source finishes that check
 * itself rather than wait, so no thread ever waits for another.
 *
 * <p>Memory: 56 bytes per slot, {@code 2..4 x maxTracked} slots, whatever the number of sources.
 */
public final class SourceTable {

    /** {@link #tryAdmit}: the source has {@code maxConnectionsPerSource} connections open. */
    public static final int REFUSED_CONNECTIONS = -1;
    /** {@link #tryAdmit}: the source's token bucket is empty. */
    public static final int REFUSED_RATE = -2;
    /** {@link #tryAdmit}: the source is new, the table is full, and no idle source could be evicted. */
    public static final int REFUSED_TABLE_FULL = -3;

    /** Slots a source may live in, from its hash on. 32 meta words: four cache lines per lookup. */
    static final int WINDOW = 32;
    /** Slots one clock sweep examines for an idle source, when the new source's window has none. */
    static final int CLOCK_BATCH = 32;
    private static final int CLOCK_SWEEPS = 4;
    /**
     * Rounds one call may take when other threads keep changing the slots it looks at. Each lost
     * round means another thread made progress; the bound only stops a pathological churn from
     * holding a loop thread, at the cost of refusing that one connection as {@link #REFUSED_TABLE_FULL}.
     */
    private static final int MAX_ROUNDS = 64;
    private static final int RETRY = Integer.MIN_VALUE;

    // Meta word: state (2 bits) | generation (22) | fingerprint (16) | open connections (24).
    private static final int EMPTY = 0;
    private static final int RESERVED = 1;
    private static final int CLAIMED = 2;
    private static final int LIVE = 3;
    private static final long COUNT_MASK = (1L << 24) - 1;
    private static final int GEN_MASK = (1 << 22) - 1;
    /** The most connections one source can hold, limit or not: the width of the count. */
    public static final int MAX_CONNECTIONS_PER_SOURCE = (int) COUNT_MASK;

    // Data: STRIDE longs per slot.
    private static final int STRIDE = 6;
    private static final int KEY_HI = 0;
    private static final int KEY_LO = 1;
    /** GCRA's theoretical arrival time, ns: the bucket is full when it is at or before now. */
    private static final int TAT = 2;
    /** Admissions per whole second: second (24 bits) | this second (20) | the one before (20). */
    private static final int SECONDS = 3;
    private static final int SEEN_NS = 4;
    private static final int REFUSED = 5;
    private static final int COUNTS_MAX = (1 << 20) - 1;
    private static final long NS_PER_SECOND = 1_000_000_000L;

    private final AtomicLongArray meta;
    private final AtomicLongArray data;
    private final int mask;
    private final int maxTracked;
    /** Slots taken (RESERVED, CLAIMED or LIVE), counted before a slot is taken: never above maxTracked. */
    private final AtomicInteger tracked = new AtomicInteger();
    private final LongAdder evictions = new LongAdder();
    private final AtomicLong clockHand = new AtomicLong();
    private final int ipv4PrefixBits;
    private final int ipv6PrefixBits;
    private final long ipv4MaskLo;
    private final long ipv6MaskHi;
    private final long ipv6MaskLo;
    private final int connectionLimit;
    /** Nanoseconds per token; 0 when the rate is not limited. */
    private final long intervalNs;
    /** How far the theoretical arrival time may run ahead of now: (burst - 1) tokens. */
    private final long toleranceNs;
    private final long seed;

    /**
     * @param maxTracked sources held at most (1..2^24)
     * @param ipv4PrefixBits IPv4 sources are grouped by this prefix (1..32; 32 = per address)
     * @param ipv6PrefixBits IPv6 sources are grouped by this prefix (1..128; 64 = per subnet)
     * @param maxConnectionsPerSource connections one source may hold open; 0 for no limit
     * @param ratePerSecond new connections per second per source; 0 for no limit
     * @param burst new connections a source may open at once (bucket size); ignored without a rate
     */
    public SourceTable(int maxTracked, int ipv4PrefixBits, int ipv6PrefixBits, int maxConnectionsPerSource,
                       double ratePerSecond, int burst) {
        this(maxTracked, ipv4PrefixBits, ipv6PrefixBits, maxConnectionsPerSource, ratePerSecond, burst,
                new SplittableRandom().nextLong());
    }

    /** As above, with the hash seed given (tests). */
    SourceTable(int maxTracked, int ipv4PrefixBits, int ipv6PrefixBits, int maxConnectionsPerSource,
                double ratePerSecond, int burst, long seed) {
        check(maxTracked >= 1 && maxTracked <= 1 << 24, "max tracked sources must be 1..16777216, got " + maxTracked);
        check(ipv4PrefixBits >= 1 && ipv4PrefixBits <= 32, "IPv4 source prefix must be 1..32, got " + ipv4PrefixBits);
        check(ipv6PrefixBits >= 1 && ipv6PrefixBits <= 128, "IPv6 source prefix must be 1..128, got " + ipv6PrefixBits);
        check(maxConnectionsPerSource >= 0 && maxConnectionsPerSource <= MAX_CONNECTIONS_PER_SOURCE,
                "connections per source must be 0 (no limit) to " + MAX_CONNECTIONS_PER_SOURCE + ", got "
                        + maxConnectionsPerSource);
        check(ratePerSecond >= 0 && Double.isFinite(ratePerSecond),
                "rate per source must be 0 (no limit) or a positive number, got " + ratePerSecond);
        check(ratePerSecond == 0 || burst >= 1, "burst must be at least 1 with a rate, got " + burst);
        int capacity = Math.max(64, Integer.highestOneBit(2 * maxTracked - 1) << 1);
        this.meta = new AtomicLongArray(capacity);
        this.data = new AtomicLongArray(capacity * STRIDE);
        this.mask = capacity - 1;
        this.maxTracked = maxTracked;
        this.ipv4PrefixBits = ipv4PrefixBits;
        this.ipv6PrefixBits = ipv6PrefixBits;
        this.ipv4MaskLo = AddressBits.maskLo(AddressBits.bits128(true, ipv4PrefixBits));
        this.ipv6MaskHi = AddressBits.maskHi(ipv6PrefixBits);
        this.ipv6MaskLo = AddressBits.maskLo(ipv6PrefixBits);
        this.connectionLimit = maxConnectionsPerSource == 0 ? MAX_CONNECTIONS_PER_SOURCE : maxConnectionsPerSource;
        this.intervalNs = ratePerSecond == 0 ? 0 : Gcra.intervalNs(ratePerSecond);
        this.toleranceNs = ratePerSecond == 0 ? 0 : Gcra.toleranceNs(intervalNs, burst);
        this.seed = seed;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * Event loop: admits one new connection from {@code address} (its first {@code length} bytes,
     * 4 or 16) at {@code nowNs}. Returns the slot to {@link #release} exactly once when the
     * connection ends (>= 0), or {@link #REFUSED_CONNECTIONS}, {@link #REFUSED_RATE} or
     * {@link #REFUSED_TABLE_FULL}. The concurrency limit is checked first, then the rate; a refused
     * connection takes neither a count nor a token. Lock-free; allocates nothing.
     */
    public int tryAdmit(byte[] address, int length, long nowNs) {
        boolean ipv4 = AddressBits.isIpv4(address, length);
        long hi = ipv4 ? 0 : AddressBits.hi(address, length) & ipv6MaskHi;
        long lo = AddressBits.lo(address, length) & (ipv4 ? ipv4MaskLo : ipv6MaskLo);
        long hash = PrefixTable.mix(lo ^ PrefixTable.mix(hi ^ seed));
        int home = (int) hash & mask;
        int fingerprint = (int) (hash >>> 48);
        boolean haveTicket = false; // one unit of tracked() taken and not yet in a slot
        int result = REFUSED_TABLE_FULL;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            int empty = -1;
            long emptyMeta = 0;
            int idle = -1;
            long idleMeta = 0;
            long idleSeen = 0;
            int found = -1;
            long foundMeta = 0;
            for (int p = 0; p < WINDOW; p++) {
                int i = (home + p) & mask;
                long m = meta.get(i);
                int state = state(m);
                if (state == EMPTY) {
                    if (empty < 0) {
                        empty = i;
                        emptyMeta = m;
                    }
                    continue;
                }
                long match = state >= CLAIMED && fingerprint(m) == fingerprint ? matching(i, hi, lo, fingerprint) : 0;
                if (match != 0) {
                    if (state(match) == CLAIMED) {
                        match = resolve(i, match, hi, lo, fingerprint, home); // finish it rather than wait
                    }
                    if (state(match) == LIVE) {
                        found = i;
                        foundMeta = match;
                        break;
                    }
                    continue;
                }
                if (state == LIVE && count(m) == 0) {
                    long seen = data.getOpaque(i * STRIDE + SEEN_NS);
                    if (idle < 0 || seen - idleSeen < 0) {
                        idle = i;
                        idleMeta = m;
                        idleSeen = seen;
                    }
                }
            }
            if (found >= 0) {
                result = admitAt(found, generation(foundMeta), nowNs);
                if (result != RETRY) {
                    break;
                }
                continue;
            }
            if (!haveTicket) {
                haveTicket = takeTicket();
            }
            long reserved;
            int slot;
            if (haveTicket && empty >= 0) {
                slot = empty;
                reserved = reserve(empty, emptyMeta);
                haveTicket = reserved == 0; // the ticket went into the slot
            } else if (idle >= 0) {
                slot = idle;
                reserved = reserve(idle, idleMeta); // the evicted source's ticket is now the new one's
                if (reserved != 0) {
                    evictions.increment();
                }
            } else if (empty >= 0 && clockEvict()) {
                haveTicket = true; // the evicted source's ticket, kept for the empty slot in our window
                continue;
            } else {
                result = REFUSED_TABLE_FULL; // every slot of the window holds open connections
                break;
            }
            if (reserved == 0) {
                continue; // another thread changed that slot first: look again
            }
            if (claim(slot, reserved, hi, lo, fingerprint, home, nowNs)) {
                result = slot;
                break;
            }
            tracked.decrementAndGet(); // our claim lost to another entry for the same source
        }
        if (haveTicket) {
            tracked.decrementAndGet();
        }
        return result == RETRY ? REFUSED_TABLE_FULL : result;
    }

    /** One unit of {@link #tracked()}, if fewer than maxTracked are taken. */
    private boolean takeTicket() {
        for (int now = tracked.get(); now < maxTracked; now = tracked.get()) {
            if (tracked.compareAndSet(now, now + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Takes slot {@code i} (EMPTY or idle LIVE, as {@code seen}) for writing; the RESERVED word, or 0. */
    private long reserve(int i, long seen) {
        long reserved = pack(RESERVED, generation(seen) + 1, 0, 0);
        return meta.compareAndSet(i, seen, reserved) ? reserved : 0;
    }

    /**
     * Fills the reserved slot with a new source holding one connection (this admission: one token
     * taken from a full bucket, counted in this second), publishes it as CLAIMED and checks it is
     * the source's only entry. True when it became LIVE: the connection is admitted.
     */
    private boolean claim(int slot, long reserved, long hi, long lo, int fingerprint, int home, long nowNs) {
        int base = slot * STRIDE;
        data.set(base + KEY_HI, hi);
        data.set(base + KEY_LO, lo);
        data.set(base + TAT, nowNs + intervalNs);
        data.set(base + SECONDS, packSeconds(second(nowNs), 1, 0));
        data.set(base + SEEN_NS, nowNs);
        data.set(base + REFUSED, 0);
        long claimed = pack(CLAIMED, generation(reserved), fingerprint, 1);
        meta.set(slot, claimed); // volatile: the key is readable before the claim is (see matching)
        long outcome = resolve(slot, claimed, hi, lo, fingerprint, home);
        return state(outcome) == LIVE && generation(outcome) == generation(claimed);
    }

    /**
     * Decides the CLAIMED entry at {@code slot} (meta {@code claimed}), by its owner or by any
     * thread that meets it: withdrawn if another entry for the same source is LIVE or claimed at
     * an earlier place in the window; else later-placed claims are withdrawn and it becomes LIVE.
     * Returns the slot's meta word after the decision (LIVE with the same generation: it won).
     */
    private long resolve(int slot, long claimed, long hi, long lo, int fingerprint, int home) {
        int place = (slot - home) & mask;
        for (int p = 0; p < WINDOW; p++) {
            int j = (home + p) & mask;
            if (j == slot) {
                continue;
            }
            long now = meta.get(slot);
            if (now != claimed) {
                return now; // decided already, by a thread that met it
            }
            for (long other = matching(j, hi, lo, fingerprint); other != 0; other = matching(j, hi, lo, fingerprint)) {
                if (state(other) == LIVE || p < place) {
                    long withdrawn = pack(EMPTY, generation(claimed) + 1, 0, 0);
                    return meta.compareAndSet(slot, claimed, withdrawn) ? withdrawn : meta.get(slot);
                }
                if (meta.compareAndSet(j, other, pack(EMPTY, generation(other) + 1, 0, 0))) {
                    break; // withdrew the later claim
                }
            }
        }
        long live = pack(LIVE, generation(claimed), fingerprint, count(claimed));
        return meta.compareAndSet(slot, claimed, live) ? live : meta.get(slot);
    }

    /**
     * The meta word of slot {@code i} if it holds this source, CLAIMED or LIVE, read consistently
     * with the key (a seqlock read: the generation is the same before and after); else 0.
     */
    private long matching(int i, long hi, long lo, int fingerprint) {
        while (true) {
            long m = meta.get(i);
            if (state(m) < CLAIMED || fingerprint(m) != fingerprint) {
                return 0;
            }
            int base = i * STRIDE;
            boolean same = data.get(base + KEY_HI) == hi && data.get(base + KEY_LO) == lo;
            long again = meta.get(i);
            if (generation(again) == generation(m) && state(again) >= CLAIMED) {
                return same ? again : 0;
            }
        }
    }

    /** Admits at the LIVE slot {@code i} of generation {@code generation}, or {@link #RETRY} if it changed. */
    private int admitAt(int i, int generation, long nowNs) {
        int base = i * STRIDE;
        while (true) {
            long m = meta.get(i);
            if (state(m) != LIVE || generation(m) != generation) {
                return RETRY;
            }
            if (count(m) >= connectionLimit) {
                refusedAt(base, nowNs); // racy if the slot changes hands now: a refusal counted on its next source
                return REFUSED_CONNECTIONS;
            }
            if (meta.compareAndSet(i, m, m + 1)) {
                break;
            }
        }
        // From here our count pins the slot: it cannot be evicted, so its bucket is this source's.
        if (intervalNs != 0 && !takeToken(base, nowNs)) {
            refusedAt(base, nowNs);
            decrement(i);
            return REFUSED_RATE;
        }
        countAdmission(base, nowNs);
        data.setOpaque(base + SEEN_NS, nowNs);
        return i;
    }

    /** {@link Gcra}: a token if the arrival time runs at most (burst - 1) intervals ahead of now. */
    private boolean takeToken(int base, long nowNs) {
        while (true) {
            long tat = data.get(base + TAT);
            long ahead = tat - nowNs;
            if (ahead > toleranceNs) {
                return false;
            }
            if (data.compareAndSet(base + TAT, tat, (ahead > 0 ? tat : nowNs) + intervalNs)) {
                return true;
            }
        }
    }

    private void refusedAt(int base, long nowNs) {
        data.getAndIncrement(base + REFUSED);
        data.setOpaque(base + SEEN_NS, nowNs);
    }

    /**
     * Event loop: the connection {@link #tryAdmit} gave {@code slot} ended. Once per admission:
     * a second release throws IllegalStateException if the source has no connection left.
     */
    public void release(int slot) {
        decrement(slot);
    }

    private void decrement(int slot) {
        while (true) {
            long m = meta.get(slot);
            if (state(m) != LIVE || count(m) == 0) {
                throw new IllegalStateException("release of slot " + slot + ", which holds no connection");
            }
            if (meta.compareAndSet(slot, m, m - 1)) {
                return;
            }
        }
    }

    /** Counts one admission in its whole second; a thread whose clock lags a second counts in the one before. */
    private void countAdmission(int base, long nowNs) {
        int second = second(nowNs);
        while (true) {
            long w = data.get(base + SECONDS);
            int lag = secondsBetween(secondOf(w), second);
            long next;
            if (lag == 0) {
                next = packSeconds(second, Math.min(COUNTS_MAX, current(w) + 1), previous(w));
            } else if (lag == 1) {
                next = packSeconds(second, 1, current(w));
            } else if (lag > 1) {
                next = packSeconds(second, 1, 0);
            } else if (lag == -1) {
                next = packSeconds(secondOf(w), current(w), Math.min(COUNTS_MAX, previous(w) + 1));
            } else {
                return; // more than a second behind the last admission: too late to show
            }
            if (next == w || data.compareAndSet(base + SECONDS, w, next)) {
                return;
            }
        }
    }

    /** The sliding-window estimate of admissions over the second before {@code nowNs}. */
    private double recentRate(long w, long nowNs) {
        int lag = secondsBetween(secondOf(w), second(nowNs));
        double remaining = 1 - (double) Math.floorMod(nowNs, NS_PER_SECOND) / NS_PER_SECOND;
        if (lag == 0) {
            return previous(w) * remaining + current(w);
        }
        return lag == 1 ? current(w) * remaining : 0;
    }

    /** Sources tracked now (slots taken, including any being filled): never more than maxTracked. */
    public int tracked() {
        return tracked.get();
    }

    /** Idle sources evicted to make room for new ones, since the table was made. */
    public long evictions() {
        return evictions.sum();
    }

    /**
     * Control thread: the {@code n} sources with the most open connections, then the highest recent
     * rate (see the class comment). Scans every slot; may be slightly stale under load.
     */
    public List<SourceFigures> top(int n, long nowNs) {
        check(n >= 0, "n must not be negative, got " + n);
        List<SourceFigures> all = new ArrayList<>();
        for (int i = 0; i <= mask; i++) {
            long m = meta.get(i);
            if (state(m) != LIVE) {
                continue;
            }
            int base = i * STRIDE;
            long hi = data.get(base + KEY_HI);
            long lo = data.get(base + KEY_LO);
            long seconds = data.get(base + SECONDS);
            long refused = data.get(base + REFUSED);
            long again = meta.get(i);
            if (state(again) != LIVE || generation(again) != generation(m)) {
                continue; // changed hands while read
            }
            all.add(new SourceFigures(sourceText(hi, lo), count(again), recentRate(seconds, nowNs), refused));
        }
        all.sort(Comparator.comparingInt(SourceFigures::connections).reversed()
                .thenComparing(Comparator.comparingDouble(SourceFigures::ratePerSecond).reversed())
                .thenComparing(SourceFigures::source));
        return List.copyOf(all.subList(0, Math.min(n, all.size())));
    }

    /**
     * The key's text. IPv4 keys are mapped addresses; an IPv6 key never looks mapped, since a
     * mapped client is IPv4 and masking only clears bits (it cannot make the ffff of ::ffff:0:0/96).
     */
    private String sourceText(long hi, long lo) {
        boolean ipv4 = AddressBits.isMapped(hi, lo);
        return AddressText.format(ipv4, hi, lo) + "/" + (ipv4 ? ipv4PrefixBits : ipv6PrefixBits);
    }

    @Override
    public String toString() {
        return "SourceTable[tracked " + tracked() + " of " + maxTracked + ", evictions " + evictions() + "]";
    }

    /** A clock sweep: evicts the least recently seen idle source among the next few slots; true if one was. */
    private boolean clockEvict() {
        for (int sweep = 0; sweep < CLOCK_SWEEPS; sweep++) {
            int start = (int) clockHand.getAndAdd(CLOCK_BATCH) & mask;
            int victim = -1;
            long victimMeta = 0;
            long victimSeen = 0;
            for (int k = 0; k < CLOCK_BATCH; k++) {
                int i = (start + k) & mask;
                long m = meta.get(i);
                if (state(m) == LIVE && count(m) == 0) {
                    long seen = data.getOpaque(i * STRIDE + SEEN_NS);
                    if (victim < 0 || seen - victimSeen < 0) {
                        victim = i;
                        victimMeta = m;
                        victimSeen = seen;
                    }
                }
            }
            if (victim >= 0 && meta.compareAndSet(victim, victimMeta, pack(EMPTY, generation(victimMeta) + 1, 0, 0))) {
                evictions.increment();
                return true;
            }
        }
        return false;
    }

    private static long pack(int state, int generation, int fingerprint, int count) {
        return ((long) state << 62) | ((long) (generation & GEN_MASK) << 40) | ((long) (fingerprint & 0xFFFF) << 24)
                | count;
    }

    private static int state(long m) {
        return (int) (m >>> 62);
    }

    private static int generation(long m) {
        return (int) (m >>> 40) & GEN_MASK;
    }

    private static int fingerprint(long m) {
        return (int) (m >>> 24) & 0xFFFF;
    }

    private static int count(long m) {
        return (int) (m & COUNT_MASK);
    }

    private static int second(long nowNs) {
        return (int) Math.floorDiv(nowNs, NS_PER_SECOND) & 0xFFFFFF;
    }

    /** {@code to - from} in whole seconds, both taken modulo 2^24 (194 days), as a signed number. */
    private static int secondsBetween(int from, int to) {
        return ((to - from) << 8) >> 8;
    }

    private static long packSeconds(int second, int current, int previous) {
        return ((long) second << 40) | ((long) current << 20) | previous;
    }

    private static int secondOf(long w) {
        return (int) (w >>> 40) & 0xFFFFFF;
    }

    private static int current(long w) {
        return (int) (w >>> 20) & COUNTS_MAX;
    }

    private static int previous(long w) {
        return (int) w & COUNTS_MAX;
    }
}
