package lb.pool;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Any thread. One backend server of a pool. Identity and address never change; admin state, health,
 * ejection and weight are written by control threads (admin, health) and read by event loops as
 * volatiles; the active-session count and the failure streak are atomics written by event loops.
 *
 * <p>State is kept on separate axes, as HAProxy does: what the operator wants ({@link AdminState}),
 * what active checks found ({@link HealthState}), whether passive checks ejected it, and its weight;
 * {@link #isEligible()} is the one predicate that combines them.
 */
public final class Backend {

    private static final long CONNECT_WARNING_INTERVAL_NS = 1_000_000_000L;
    /**
     * A snapshot's weight is the configured weight times this, so that slow start can ramp even a
     * weight-1 backend in steps of 1% (every algorithm is indifferent to the scale of weights).
     */
    public static final int WEIGHT_UNIT = 100;
    /** Where slow start begins, in percent of the full weight. */
    static final int SLOW_START_FLOOR_PERCENT = 10;

    /** Outcome of a half-open trial session, as the HealthChecker reads it. */
    public static final int TRIAL_PENDING = 0;
    public static final int TRIAL_PASSED = 1;
    public static final int TRIAL_FAILED = -1;

    private final String name;
    private final InetSocketAddress address;
    // Written by control threads (reload), rarely; read by loops on every pick.
    private volatile int maxConnections;
    private final PoolHealth poolHealth;

    // Written by control threads, rarely; read by loops on every pick.
    private volatile int weight;
    // Control thread: the backend came from DNS discovery (not the file, not add-backend), and
    // whether DNS no longer lists it (then it drains and leaves the pool once it has no session).
    private volatile boolean discovered;
    private volatile boolean goneFromDns;
    // Written by the control thread (reload, discovery), then a snapshot is published: snapshots
    // group backends by the tier they captured (see lb.config.Tiers); eligibility reads it for panic.
    private volatile int tier;
    private volatile AdminState adminState = AdminState.ACTIVE;
    private volatile HealthState healthState = HealthState.UP;
    // Written by the HealthChecker: passive ejection and its half-open trial, slow start.
    private volatile boolean ejected;
    private volatile boolean halfOpen;
    private final AtomicBoolean trialPermit = new AtomicBoolean();
    private volatile int trialResult = TRIAL_PENDING;
    private static final long NOT_RAMPING = Long.MIN_VALUE;
    // Written by the health thread alone (startRamp), or by the control thread before the backend
    // is published (joinRunningPool); NOT_RAMPING until the first ramp.
    private volatile long rampStartNs = NOT_RAMPING;
    private final AtomicLong ramps = new AtomicLong();
    // Set by the pool before the backend is published; cleared by the HealthChecker on the
    // backend's first probe verdict. Until then it is neither trusted nor counted as failing.
    private volatile boolean awaitingFirstCheck;
    // Set by the pool before the backend is published: it joined a running pool, so its first
    // passing probe starts a ramp (at start-up the whole pool comes up together and none ramps).
    private volatile boolean rampOnFirstPass;

    // Written by every loop that places a session here.
    private final AtomicInteger activeSessions = new AtomicInteger();
    private final AtomicLong totalSessions = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicLong sessionFailures = new AtomicLong();
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicLong rejectedAtLimit = new AtomicLong();
    // Written by the HealthChecker only; atomics so that any thread reads them whole.
    private final AtomicLong healthChanges = new AtomicLong();
    private final AtomicLong ejections = new AtomicLong();
    private final LoopCounters traffic;
    private final AtomicLongArray connectFailuresByCause = new AtomicLongArray(ConnectFailure.values().length);
    private final AtomicLong lastConnectWarningNs = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressedConnectWarnings = new AtomicLong();

    public Backend(String name, InetSocketAddress address, int weight) {
        this(name, address, weight, 0, new PoolHealth(0), 1);
    }

    /**
     * @param maxConnections at most this many sessions at once; 0 = no limit
     * @param poolHealth     shared by the backends of one pool
     * @param loops          event loops that may relay to it (each counts its traffic apart)
     */
    public Backend(String name, InetSocketAddress address, int weight, int maxConnections, PoolHealth poolHealth,
                   int loops) {
        this(name, address, weight, maxConnections, 0, poolHealth, loops);
    }

    /**
     * @param tier lower tiers are used first; a tier only while no backend of a lower one is eligible
     *             (see {@code lb.config.Tiers})
     */
    public Backend(String name, InetSocketAddress address, int weight, int maxConnections, int tier,
                   PoolHealth poolHealth, int loops) {
        this.name = name;
        this.tier = tier;
        this.address = address;
        this.weight = weight;
        this.maxConnections = maxConnections;
        this.poolHealth = poolHealth;
        this.traffic = new LoopCounters(loops, 2);
    }

    /** Bytes sent to it ({@link LoopCounters#UP}) and read from it ({@link LoopCounters#DOWN}), per event loop. */
    public LoopCounters traffic() {
        return traffic;
    }

    /** Connects that failed for {@code cause}. */
    public long connectFailures(ConnectFailure cause) {
        return connectFailuresByCause.get(cause.ordinal());
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return address;
    }

    public int weight() {
        return weight;
    }

    public void weight(int weight) {
        this.weight = weight;
    }

    /** Its tier: lower tiers take sessions first (see {@code lb.config.Tiers}). */
    public int tier() {
        return tier;
    }

    /** Control thread (reload, discovery), followed by publishing a snapshot: moves it to another tier. */
    public void tier(int tier) {
        this.tier = tier;
    }

    /** Whether it came from DNS discovery: not journaled, not compared with the file, removed when DNS drops it. */
    public boolean discovered() {
        return discovered;
    }

    /** Control thread: it came from DNS discovery (before it is published), or the file now lists it (false). */
    public void discovered(boolean fromDns) {
        this.discovered = fromDns;
    }

    /** Whether DNS stopped listing this discovered backend: it drains, and leaves once it has no session. */
    public boolean goneFromDns() {
        return goneFromDns;
    }

    /** Control thread. */
    public void goneFromDns(boolean gone) {
        this.goneFromDns = gone;
    }

    public AdminState adminState() {
        return adminState;
    }

    public void adminState(AdminState state) {
        this.adminState = state;
    }

    public HealthState healthState() {
        return healthState;
    }

    public void healthState(HealthState state) {
        this.healthState = state;
    }

    public int maxConnections() {
        return maxConnections;
    }

    /** Control thread (reload): a new connection limit, from the next placement; 0 = none. */
    public void maxConnections(int max) {
        this.maxConnections = max;
    }

    /**
     * The one predicate that decides whether a balancer may pick this backend for a new session:
     * active (not draining or disabled), a weight above 0, below its connection limit, and either
     * usable (see {@link #isUsable()}) or in a tier in panic (once active checks gave it a first
     * verdict: see {@link #awaitingFirstCheck()}). Whether its tier is the one in use is for the
     * snapshot's balancer to say ({@link PoolSnapshot}).
     */
    public boolean isEligible() {
        if (adminState != AdminState.ACTIVE || weight <= 0) {
            return false;
        }
        int max = maxConnections;
        if (max > 0 && activeSessions.get() >= max) {
            return false;
        }
        return isUsable() || poolHealth.panic(tier) && !awaitingFirstCheck;
    }

    /**
     * Whether active checks have yet to give this backend its first verdict ({@code initial_state =
     * "down"}): such a backend is not picked, not even in panic, and panic mode counts it neither
     * as usable nor as failing.
     */
    public boolean awaitingFirstCheck() {
        return awaitingFirstCheck;
    }

    /** Control thread, before the backend is published: it waits for its first probe (initial_state = "down"). */
    public void awaitFirstCheck() {
        this.awaitingFirstCheck = true;
    }

    /** HealthChecker thread: the first probe of this backend has come back (passed or failed). */
    public void firstCheckDone() {
        this.awaitingFirstCheck = false;
    }

    /**
     * Control thread, before the backend is published: it joins a pool that is already running
     * (add-backend, or a reload that adds it), so slow start applies as to a backend coming back.
     * Awaiting its first probe, it ramps from the probe that passes (see {@link #rampsOnFirstPass()});
     * otherwise it ramps from now, and the snapshot that publishes it already carries the low weight.
     */
    public void joinRunningPool(long nowNs) {
        if (awaitingFirstCheck) {
            rampOnFirstPass = true;
        } else {
            startRamp(nowNs);
        }
    }

    /** Whether the first passing probe starts a ramp: the backend joined a running pool. */
    public boolean rampsOnFirstPass() {
        return rampOnFirstPass;
    }

    /** Healthy and not ejected, or ejected with its one half-open trial still to take. */
    public boolean isUsable() {
        return healthState == HealthState.UP && (!ejected || halfOpen && trialPermit.get());
    }

    /** Healthy and not ejected (the share of such backends decides panic mode). */
    public boolean isHealthyAndNotEjected() {
        return healthState == HealthState.UP && !ejected;
    }

    public boolean isEjected() {
        return ejected;
    }

    public PoolHealth poolHealth() {
        return poolHealth;
    }

    public int activeSessions() {
        return activeSessions.get();
    }

    public long totalSessions() {
        return totalSessions.get();
    }

    public long connectFailures() {
        return connectFailures.get();
    }

    /** A session was placed on this backend, unconditionally (tests; see {@link #tryPlace()}). */
    public void onSessionPlaced() {
        activeSessions.incrementAndGet();
        totalSessions.incrementAndGet();
    }

    /**
     * Event loop: places a session here (before its connect), unless the backend is at its
     * connection limit or is ejected and its one half-open trial was already taken: balancers pick
     * from live state that another loop may change in between, so the limit and the trial are
     * claimed here, atomically.
     */
    public boolean tryPlace() {
        int max = maxConnections;
        if (max > 0) {
            int active;
            do {
                active = activeSessions.get();
                if (active >= max) {
                    rejectedAtLimit.incrementAndGet();
                    return false;
                }
            } while (!activeSessions.compareAndSet(active, active + 1));
        } else {
            activeSessions.incrementAndGet();
        }
        if (ejected && !poolHealth.panic(tier) && !(halfOpen && trialPermit.compareAndSet(true, false))) {
            activeSessions.decrementAndGet();
            return false;
        }
        // Read after the count went up, as a drain writes the state before it reads the count: either
        // this sees the drain (and backs out) or the drain sees this session. Without it a session
        // picked just before a drain could land after drain --wait or remove-backend saw 0.
        if (adminState != AdminState.ACTIVE) {
            activeSessions.decrementAndGet();
            return false;
        }
        totalSessions.incrementAndGet();
        return true;
    }

    /**
     * Event loop: the session placed here got a byte from the backend, or ended without the backend
     * resetting it: the failure streak ends.
     */
    public void onSessionSucceeded() {
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
        if (halfOpen) {
            trialResult = TRIAL_PASSED;
        }
    }

    /**
     * Event loop: the session placed here failed on the backend's side: its connect failed, or the
     * backend reset it before sending a byte.
     */
    public void onSessionFailed() {
        sessionFailures.incrementAndGet();
        consecutiveFailures.incrementAndGet();
        if (halfOpen) {
            trialResult = TRIAL_FAILED;
        }
    }

    /** Failed sessions in a row (see {@link #onSessionFailed()}). */
    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    public long sessionFailures() {
        return sessionFailures.get();
    }

    /** Placements refused because the backend was at {@code max_connections}. */
    public long rejectedAtLimit() {
        return rejectedAtLimit.get();
    }

    /** UP/DOWN changes found by active checks so far. */
    public long healthChanges() {
        return healthChanges.get();
    }

    /** Passive ejections so far. */
    public long ejections() {
        return ejections.get();
    }

    /** HealthChecker thread: active checks changed the health state. */
    public void changeHealthState(HealthState state) {
        if (healthState != state) {
            healthChanges.incrementAndGet();
        }
        healthState = state;
    }

    /** HealthChecker thread: takes the backend out until {@link #beginTrial()} or {@link #restore()}. */
    public void eject() {
        ejections.incrementAndGet();
        halfOpen = false;
        trialPermit.set(false);
        ejected = true;
    }

    /** HealthChecker thread: an ejected backend may take exactly one trial session. */
    public void beginTrial() {
        trialResult = TRIAL_PENDING;
        trialPermit.set(true);
        halfOpen = true;
    }

    /** What the half-open trial came to: {@link #TRIAL_PENDING}, {@link #TRIAL_PASSED} or {@link #TRIAL_FAILED}. */
    public int trialResult() {
        return trialResult;
    }

    /** HealthChecker thread: back in rotation after ejection. */
    public void restore() {
        ejected = false;
        halfOpen = false;
        trialPermit.set(false);
        consecutiveFailures.set(0);
    }

    /**
     * HealthChecker thread (or the control thread for a backend not yet published): the backend is
     * coming back, or joining; ramp its weight from now on. Returns whether it ramps (the pool has
     * slow start), in which case the caller publishes a snapshot.
     */
    public boolean startRamp(long nowNs) {
        if (poolHealth.slowStartNs() <= 0) {
            return false;
        }
        rampStartNs = nowNs;
        ramps.incrementAndGet();
        return true;
    }

    /** Slow-start ramps started so far (a backend back from both DOWN and ejection ramps once). */
    public long ramps() {
        return ramps.get();
    }

    /**
     * Any thread: whether slow start still holds this backend below its full weight at
     * {@code nowNs}. A pure read: only {@link #startRamp} writes the ramp, so a reader with an old
     * clock cannot end a ramp the health thread has just started.
     */
    public boolean isRamping(long nowNs) {
        long start = rampStartNs;
        return start != NOT_RAMPING && nowNs - start < poolHealth.slowStartNs();
    }

    /**
     * The weight a snapshot published at {@code nowNs} gives this backend, in units of
     * {@link #WEIGHT_UNIT}: the weight, ramped linearly from 10% to 100% during slow start.
     */
    public long effectiveWeight(long nowNs) {
        long full = (long) weight * WEIGHT_UNIT;
        if (!isRamping(nowNs) || full == 0) {
            return full;
        }
        long slowStartNs = poolHealth.slowStartNs();
        long start = rampStartNs;
        double elapsed = start == NOT_RAMPING ? 1.0
                : Math.min(1.0, Math.max(0.0, (nowNs - start) / (double) slowStartNs));
        double percent = SLOW_START_FLOOR_PERCENT + (100 - SLOW_START_FLOOR_PERCENT) * elapsed;
        return Math.max(1, Math.round(full * percent / 100));
    }

    /** Event loop: a session placed here has ended or moved to another backend. */
    public void onSessionReleased() {
        activeSessions.decrementAndGet();
    }

    /**
     * Event loop: a connect to this backend failed. Returns how many earlier failures went unlogged
     * when a warning should be logged now, or -1 to stay quiet: at most one warning per backend per
     * second, so a dead backend under load cannot flood the log.
     */
    public long onConnectFailed(ConnectFailure cause, long nowNs) {
        connectFailures.incrementAndGet();
        connectFailuresByCause.incrementAndGet(cause.ordinal());
        onSessionFailed();
        long last = lastConnectWarningNs.get();
        if (last != Long.MIN_VALUE && nowNs - last < CONNECT_WARNING_INTERVAL_NS) {
            suppressedConnectWarnings.incrementAndGet();
            return -1;
        }
        if (!lastConnectWarningNs.compareAndSet(last, nowNs)) {
            suppressedConnectWarnings.incrementAndGet();
            return -1;
        }
        return suppressedConnectWarnings.getAndSet(0);
    }

    @Override
    public String toString() {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return name + " (" + host + ":" + address.getPort() + ")";
    }
}
