package lb.health;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.config.PassiveCheck;
import lb.log.RateLimitedLog;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.HealthState;

/**
 * Owned by the HealthChecker thread. Passive checks of one pool (outlier detection, circuit
 * breaking): reads each backend's failure streak, which the event loops keep with atomics, and
 * ejects a backend whose streak reaches {@code consecutive_failures}, for {@code ejection_time}
 * doubled on each ejection in a row (capped at {@code max_ejection_time}), never ejecting more than
 * {@code max_ejection_percent} of the pool at once. When an ejection ends the backend is half-open:
 * one trial session decides. A trial that ends without a verdict (the client left before the
 * backend spoke) counts as passed: the backend accepted the connection. The doubling is forgotten
 * once a returned backend has stayed in for {@code max_ejection_time}.
 */
final class OutlierDetector implements HealthChecker.Task {

    private final HealthChecker checker;

    private static final Logger LOG = LoggerFactory.getLogger(OutlierDetector.class);
    private static final long PERIOD_NS = 20_000_000L;

    private enum Phase { IN, EJECTED, TRIAL }

    /** Owned by the HealthChecker thread. */
    private static final class Ejection {
        final Backend backend;
        Phase phase = Phase.IN;
        int inARow;
        long untilNs;
        long returnedNs;
        long ejections;
        boolean refusalLogged;
        /**
         * A refusal is logged once per failure streak, and a backend that keeps failing, succeeding
         * once and failing again starts streaks as fast as sessions come: at most a line per
         * interval for it, with a count. Goes with the backend (bounded by the pool's size).
         */
        final RateLimitedLog refusals = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));

        Ejection(Backend backend) {
            this.backend = backend;
        }
    }

    private final BackendPool pool;
    private final PassiveCheck check;
    private Ejection[] backends;
    private int maxEjected;
    private List<Backend> known;

    OutlierDetector(BackendPool pool, HealthChecker checker) {
        this.checker = checker;
        this.pool = pool;
        this.check = pool.health().passive();
        this.backends = new Ejection[0];
        reconcile(pool.snapshot().backends());
    }

    /** The pool's backends changed at runtime: keep the ejection state of those still there. */
    private void reconcile(List<Backend> current) {
        Ejection[] next = new Ejection[current.size()];
        for (int i = 0; i < next.length; i++) {
            for (Ejection existing : backends) {
                if (existing.backend == current.get(i)) {
                    next[i] = existing;
                    break;
                }
            }
            if (next[i] == null) {
                next[i] = new Ejection(current.get(i));
            }
        }
        backends = next;
        known = current;
        maxEjected = check.maxEjectionPercent() * backends.length / 100;
    }

    @Override
    public long run(long nowNs) {
        List<Backend> current = pool.snapshot().backends();
        if (current != known) {
            reconcile(current);
        }
        int ejected = 0;
        for (Ejection e : backends) {
            if (e.phase != Phase.IN) {
                ejected++;
            }
        }
        for (Ejection e : backends) {
            switch (e.phase) {
                case IN -> {
                    if (e.inARow > 0 && nowNs - e.returnedNs >= check.maxEjectionTime().toNanos()) {
                        e.inARow = 0;
                    }
                    int failures = e.backend.consecutiveFailures();
                    if (failures < check.consecutiveFailures()) {
                        e.refusalLogged = false;
                    } else if (ejected < maxEjected) {
                        ejected++;
                        eject(e, failures + " failed sessions in a row", nowNs);
                    } else if (!e.refusalLogged) {
                        e.refusalLogged = true;
                        e.refusals.warn(nowNs, "pool " + pool.name() + ": backend " + e.backend + " has " + failures
                                + " failed sessions in a row but stays in: " + ejected + " of " + backends.length
                                + " backends are already ejected (max_ejection_percent " + check.maxEjectionPercent()
                                + ")");
                    }
                }
                case EJECTED -> {
                    if (nowNs - e.untilNs >= 0) {
                        e.phase = Phase.TRIAL;
                        e.backend.beginTrial();
                        LOG.info("pool {}: backend {} is half-open: the next session is its trial", pool.name(),
                                e.backend);
                    }
                }
                case TRIAL -> {
                    int result = e.backend.trialResult();
                    // Taken and over without a verdict: the placement counts until the session ends,
                    // and an ending session reports before it gives its count back.
                    boolean silent = result == Backend.TRIAL_PENDING && trialTaken(e.backend)
                            && e.backend.activeSessions() == 0;
                    if (result == Backend.TRIAL_PASSED || silent) {
                        e.phase = Phase.IN;
                        e.returnedNs = nowNs;
                        // Still DOWN (a trial taken in panic), it is not back yet: its ramp starts
                        // when active checks take it UP, so a backend back from both ramps once.
                        if (e.backend.healthState() == HealthState.UP && e.backend.startRamp(nowNs)) {
                            checker.republish(pool); // ramp weights first, then back in rotation
                        }
                        e.backend.restore();
                        LOG.info("pool {}: backend {} is back: its trial session {}", pool.name(), e.backend,
                                silent ? "connected" : "succeeded");
                    } else if (result == Backend.TRIAL_FAILED) {
                        eject(e, "its trial session failed", nowNs);
                    }
                }
            }
        }
        return nowNs + PERIOD_NS;
    }

    /** The trial permit was taken: an ejected, half-open backend that is no longer usable but healthy. */
    private static boolean trialTaken(Backend backend) {
        return backend.isEjected() && backend.healthState() == HealthState.UP && !backend.isUsable();
    }

    private void eject(Ejection e, String reason, long nowNs) {
        e.inARow++;
        e.ejections++;
        long baseNs = check.ejectionTime().toNanos();
        long maxNs = check.maxEjectionTime().toNanos();
        long durationNs = e.inARow >= 63 ? maxNs : Math.min(maxNs, baseNs << Math.min(e.inARow - 1, 40));
        if (durationNs < 0) {
            durationNs = maxNs;
        }
        e.phase = Phase.EJECTED;
        e.untilNs = nowNs + durationNs;
        e.backend.eject();
        LOG.warn("pool {}: backend {} ejected for {} ms: {} (ejection {} in a row)", pool.name(), e.backend,
                durationNs / 1_000_000, reason, e.inARow);
    }

    /** Ejections of {@code backend} so far (tests). */
    long ejections(Backend backend) {
        for (Ejection e : backends) {
            if (e.backend == backend) {
                return e.ejections;
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return "outlier detection of pool " + pool.name();
    }
}
