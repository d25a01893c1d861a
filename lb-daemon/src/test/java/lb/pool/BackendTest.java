package lb.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The eligibility axes and the atomic claims a loop makes when it places a session. */
class BackendTest {

    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.1.0.1", 80);

    @Test
    void aSessionPickedBeforeADrainDoesNotLandAfterIt() {
        Backend b = new Backend("b", ADDRESS, 1, 0, new PoolHealth(0), 1);
        assertTrue(b.isEligible(), "the balancer picks it");
        b.adminState(AdminState.DRAINING); // the control thread drains it before the loop places the session
        assertFalse(b.tryPlace(), "the placement sees the drain");
        assertEquals(0, b.activeSessions(), "drain --wait may trust a count of 0");
        assertEquals(0, b.totalSessions());
        b.adminState(AdminState.ACTIVE);
        assertTrue(b.tryPlace());
    }

    @Test
    void aRampEndsByTheClockAloneAndASecondOneStartsAfresh() {
        PoolHealth health = new PoolHealth(TimeUnit.SECONDS.toNanos(10));
        Backend b = new Backend("b", ADDRESS, 1, 0, health, 1);
        assertTrue(b.startRamp(0));
        assertFalse(b.isRamping(TimeUnit.SECONDS.toNanos(11)), "the first ramp is over");
        assertTrue(b.startRamp(TimeUnit.SECONDS.toNanos(20)), "the health thread starts a second ramp");
        b.isRamping(TimeUnit.SECONDS.toNanos(11)); // a reader with an older clock: a pure read, it changes nothing
        assertTrue(b.isRamping(TimeUnit.SECONDS.toNanos(21)), "still ramping a second into the second ramp");
        assertTrue(b.effectiveWeight(TimeUnit.SECONDS.toNanos(21)) < Backend.WEIGHT_UNIT);
        assertFalse(b.isRamping(TimeUnit.SECONDS.toNanos(31)));
        assertEquals(Backend.WEIGHT_UNIT, b.effectiveWeight(TimeUnit.SECONDS.toNanos(31)));
    }

    @Test
    void connectionLimitIsClaimedAtomically() {
        Backend b = new Backend("b", ADDRESS, 1, 2, new PoolHealth(0), 1);
        assertTrue(b.isEligible());
        assertTrue(b.tryPlace());
        assertTrue(b.tryPlace());
        assertFalse(b.isEligible(), "at its limit");
        assertFalse(b.tryPlace(), "a third session");
        assertEquals(1, b.rejectedAtLimit());
        assertEquals(2, b.activeSessions(), "a refused claim leaves the count alone");
        b.onSessionReleased();
        assertTrue(b.isEligible());
        assertTrue(b.tryPlace());
    }

    @Test
    void anEjectedBackendTakesExactlyOneTrialSession() {
        Backend b = new Backend("b", ADDRESS, 1, 0, new PoolHealth(0), 1);
        b.eject();
        assertFalse(b.isEligible());
        assertFalse(b.tryPlace());
        b.beginTrial();
        assertTrue(b.isEligible(), "half-open");
        assertTrue(b.tryPlace(), "the trial");
        assertFalse(b.isEligible(), "the trial is taken");
        assertFalse(b.tryPlace(), "a second session during the trial");
        assertEquals(1, b.activeSessions());
        b.onSessionFailed();
        assertEquals(Backend.TRIAL_FAILED, b.trialResult());
        b.beginTrial();
        b.onSessionSucceeded();
        assertEquals(Backend.TRIAL_PASSED, b.trialResult());
        b.restore();
        assertTrue(b.isEligible());
        assertEquals(0, b.consecutiveFailures());
    }

    @Test
    void panicMakesUnhealthyAndEjectedBackendsEligibleButNotDrainingOnes() {
        PoolHealth pool = new PoolHealth(0);
        Backend down = new Backend("down", ADDRESS, 1, 0, pool, 1);
        down.healthState(HealthState.DOWN);
        Backend ejected = new Backend("ejected", ADDRESS, 1, 0, pool, 1);
        ejected.eject();
        Backend draining = new Backend("draining", ADDRESS, 1, 0, pool, 1);
        draining.adminState(AdminState.DRAINING);
        pool.panic(true);
        assertTrue(down.isEligible());
        assertTrue(ejected.isEligible());
        assertTrue(ejected.tryPlace(), "in panic an ejected backend takes sessions without a trial");
        assertFalse(draining.isEligible(), "panic overrides health, not the operator");
        pool.panic(false);
        assertFalse(down.isEligible());
        assertFalse(ejected.isEligible());
    }

    @Test
    void failureStreakCountsUntilASuccess() {
        Backend b = new Backend("b", ADDRESS, 1, 0, new PoolHealth(0), 1);
        b.onSessionFailed();
        b.onConnectFailed(ConnectFailure.REFUSED, 0);
        assertEquals(2, b.consecutiveFailures());
        assertEquals(2, b.sessionFailures());
        b.onSessionSucceeded();
        assertEquals(0, b.consecutiveFailures());
        assertEquals(2, b.sessionFailures());
    }

    /** The session logs a connect failure only when this says so, with the count it returns. */
    @Test
    void connectFailuresAskForOneWarningPerSecondAndCountTheRest() {
        Backend b = new Backend("b", ADDRESS, 1, 0, new PoolHealth(0), 1);
        long secondNs = TimeUnit.SECONDS.toNanos(1);
        int warnings = 0;
        for (int i = 0; i < 1_000; i++) {
            long unlogged = b.onConnectFailed(ConnectFailure.REFUSED, i * 1_000_000L); // one a millisecond
            if (unlogged >= 0) {
                warnings++;
                assertEquals(0, unlogged, "the first warning has nothing before it");
            }
        }
        assertEquals(1, warnings, "warnings within the first second");
        assertEquals(999, b.onConnectFailed(ConnectFailure.REFUSED, secondNs), "the next second's warning counts them");
        assertEquals(-1, b.onConnectFailed(ConnectFailure.REFUSED, secondNs + 1));
        assertEquals(1_002, b.connectFailures(), "every failure counted, warned of or not");
    }

    @Test
    void slowStartRampsTheEffectiveWeightFromTenPercent() {
        long rampNs = TimeUnit.SECONDS.toNanos(10);
        Backend b = new Backend("b", ADDRESS, 3, 0, new PoolHealth(rampNs), 1);
        assertEquals(300, b.effectiveWeight(0), "full weight, in hundredths");
        long start = 1_000_000_000L;
        b.startRamp(start);
        assertEquals(30, b.effectiveWeight(start));
        assertEquals(165, b.effectiveWeight(start + rampNs / 2));
        assertEquals(300, b.effectiveWeight(start + rampNs));
        assertFalse(b.isRamping(start + rampNs));
        Backend noRamp = new Backend("c", ADDRESS, 3, 0, new PoolHealth(0), 1);
        noRamp.startRamp(start);
        assertEquals(300, noRamp.effectiveWeight(start), "no slow start configured");
    }
}
