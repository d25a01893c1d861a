package lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Rise/fall hysteresis, probe by probe; the expectations are HAProxy's ({@code health} counter in
 * {@code check.c}): a backend not yet checked comes UP on a first pass, a failure resets a rising
 * streak, a pass resets a falling one.
 */
class RiseFallTest {

    /** Feeds {@code probes} ('+' pass, '-' fail); returns the states after each as 'U'/'D'. */
    private static String run(RiseFall riseFall, String probes) {
        StringBuilder states = new StringBuilder();
        for (char c : probes.toCharArray()) {
            riseFall.record(c == '+');
            states.append(riseFall.isUp() ? 'U' : 'D');
        }
        return states.toString();
    }

    @Test
    void uncheckedDownBackendComesUpOnItsFirstPass() {
        RiseFall riseFall = new RiseFall(3, 2, false);
        assertTrue(riseFall.record(true), "first probe passed: a change");
        assertTrue(riseFall.isUp());
    }

    @Test
    void uncheckedDownBackendWhoseFirstProbeFailsNeedsRisePasses() {
        assertEquals("DDDU", run(new RiseFall(3, 2, false), "-+++"));
    }

    @Test
    void upBackendGoesDownAfterFallFailuresInARow() {
        assertEquals("UUD", run(new RiseFall(3, 3, true), "---"));
        assertEquals("D", run(new RiseFall(5, 1, true), "-"), "fall = 1: one failure");
    }

    @Test
    void aPassBreaksAFallingStreakAndAFailureARisingOne() {
        assertEquals("UUUUUD", run(new RiseFall(2, 3, true), "--+---"));
        RiseFall riseFall = new RiseFall(2, 3, true);
        assertEquals("UUDDDDU", run(riseFall, "---+-++"));
        assertEquals(0, riseFall.streak(), "a change starts the next streak from zero");
    }

    @Test
    void alternatingResultsNeverChangeStateWhenRiseAndFallExceedOne() {
        RiseFall up = new RiseFall(2, 2, true);
        RiseFall down = new RiseFall(2, 2, true);
        run(down, "--");
        assertFalse(down.isUp());
        for (int i = 0; i < 50; i++) {
            assertFalse(up.record(i % 2 == 0), "probe " + i);
            assertFalse(down.record(i % 2 == 1), "probe " + i);
        }
        assertTrue(up.isUp());
        assertFalse(down.isUp());
    }

    @Test
    void afterItsFirstChangeADownBackendNeedsRisePassesAgain() {
        // Initially down, first pass: UP. Later DOWN after fall; back only after rise passes.
        assertEquals("UUDDDU", run(new RiseFall(3, 2, false), "+--+++"));
    }
}
