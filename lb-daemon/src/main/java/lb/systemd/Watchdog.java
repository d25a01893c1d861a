package lb.systemd;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.log.RateLimitedLog;

/**
 * Owns the daemon thread {@code lb-watchdog}; {@link #start()} and {@link #close()} from any thread.
 * systemd's watchdog ({@code WatchdogSec=}): systemd restarts lb when no {@code WATCHDOG=1} has come
 * for {@code WATCHDOG_USEC}. Every half of that, this asks {@link Liveness} whether every loop and
 * the control thread still turn, and pings only if they do: a JVM whose timer thread runs while an
 * event loop hangs forever is not alive in any sense a client cares about.
 *
 * <p>Disabled (start and close do nothing) unless {@code NOTIFY_SOCKET} and a positive
 * {@code WATCHDOG_USEC} are set, and {@code WATCHDOG_PID}, if set, is this process's pid (the rule of
 * {@code sd_watchdog_enabled(3)}: a child that inherited the variables is not the one watched).
 */
public final class Watchdog implements AutoCloseable {

    public static final String WATCHDOG_USEC = "WATCHDOG_USEC";
    public static final String WATCHDOG_PID = "WATCHDOG_PID";

    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    // Longer than any sane WatchdogSec (systemd allows more, but a day-long watchdog watches nothing),
    // and far from overflowing when turned into ns.
    private static final long MAX_USEC = TimeUnit.DAYS.toMicros(1);
    // A stuck part is logged at each check (every WATCHDOG_USEC / 2) up to one line per 10 s: systemd
    // acts within WATCHDOG_USEC, so these few lines are the last word on why lb was restarted.
    private static final long STUCK_LOG_INTERVAL_NS = 10_000_000_000L;
    private static final Watchdog DISABLED = new Watchdog(null, null, 0);

    private final SystemdNotifier notifier;
    private final Liveness liveness;
    /** Between checks, and the age at which a part counts as stuck: WATCHDOG_USEC / 2, in ns. */
    private final long intervalNs;
    private final Thread thread;
    private final RateLimitedLog stuckLog = new RateLimitedLog(LOG, STUCK_LOG_INTERVAL_NS);
    private volatile boolean closed;
    // lb-watchdog only: whether the last check found a part stuck (to log the recovery once).
    private boolean wasStuck;

    private Watchdog(SystemdNotifier notifier, Liveness liveness, long intervalNs) {
        this.notifier = notifier;
        this.liveness = liveness;
        this.intervalNs = intervalNs;
        this.thread = intervalNs == 0 ? null : new Thread(this::run, "lb-watchdog");
        if (thread != null) {
            thread.setDaemon(true); // never what keeps the JVM up
        }
    }

    /**
     * The watchdog {@code env} asks for, or a disabled one (see the class comment). Like
     * {@link SystemdNotifier}, leaves the environment alone.
     */
    public static Watchdog fromEnvironment(Map<String, String> env, SystemdNotifier notifier, Liveness liveness) {
        return fromEnvironment(env, notifier, liveness, ProcessHandle.current().pid());
    }

    static Watchdog fromEnvironment(Map<String, String> env, SystemdNotifier notifier, Liveness liveness,
                                    long ownPid) {
        String usecText = env.get(WATCHDOG_USEC);
        if (usecText == null || usecText.isEmpty() || !notifier.enabled()) {
            return DISABLED;
        }
        long usec = parse(usecText);
        if (usec <= 0 || usec > MAX_USEC) {
            LOG.warn("{}={} is not a number of µs between 1 and {}: no watchdog", WATCHDOG_USEC, usecText, MAX_USEC);
            return DISABLED;
        }
        String pidText = env.get(WATCHDOG_PID);
        if (pidText != null && !pidText.isEmpty() && parse(pidText) != ownPid) {
            LOG.info("{}={} is not this process ({}): no watchdog", WATCHDOG_PID, pidText, ownPid);
            return DISABLED;
        }
        long intervalNs = Math.max(1, usec * 1_000 / 2);
        LOG.info("watchdog: systemd restarts lb after {} ms without a sign of life; checking every {} ms",
                usec / 1_000, intervalNs / 1_000_000);
        return new Watchdog(notifier, liveness, intervalNs);
    }

    /** Whether there is anything to do: false when the environment asked for no watchdog. */
    public boolean enabled() {
        return thread != null;
    }

    /** WATCHDOG_USEC / 2 in ns: the time between checks, and the age at which a part is stuck; 0 when disabled. */
    public long intervalNs() {
        return intervalNs;
    }

    /** Starts the thread; the first check comes one interval later. Call once, after the loops run. */
    public void start() {
        if (thread != null) {
            thread.start();
        }
    }

    /** Stops the thread: no ping after this returns, unless one was being sent (waits up to a second). */
    @Override
    public void close() {
        if (thread == null || closed) {
            return;
        }
        closed = true;
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread && thread.isAlive()) {
            try {
                thread.join(1_000); // a check in progress (a Liveness call, a non-blocking send) is short
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The thread (tests). */
    Thread threadForTest() {
        return thread;
    }

    /** lb-watchdog: checks on a fixed rate, and after a late wake-up (a paused VM) resumes it without a burst. */
    private void run() {
        long nextNs = System.nanoTime() + intervalNs;
        while (!closed) {
            long waitNs = nextNs - System.nanoTime();
            if (waitNs > 0) {
                LockSupport.parkNanos(this, waitNs);
                continue;
            }
            long nowNs = System.nanoTime();
            check(nowNs);
            nextNs += intervalNs;
            if (nextNs - nowNs <= 0) {
                nextNs = nowNs + intervalNs;
            }
        }
    }

    /** lb-watchdog: pings if nothing is stuck. */
    private void check(long nowNs) {
        String stuck;
        try {
            stuck = liveness.stuck(nowNs, intervalNs);
        } catch (RuntimeException e) {
            // Unknown is not alive: a ping now could keep a hung daemon up for good.
            stuck = "the liveness check failed: " + e;
        }
        if (stuck == null) {
            if (wasStuck) {
                wasStuck = false;
                LOG.info("watchdog: every part turns again; telling systemd we are alive");
            }
            if (!closed) {
                notifier.watchdog();
            }
            return;
        }
        wasStuck = true;
        stuckLog.error(nowNs, "watchdog: not telling systemd we are alive, " + stuck
                + " (systemd restarts lb if this lasts " + intervalNs * 2 / 1_000_000 + " ms)");
    }

    /** A decimal number, or -1. */
    private static long parse(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return thread == null ? "Watchdog[disabled]" : "Watchdog[every " + intervalNs / 1_000_000 + " ms]";
    }
}
