package lb.health;

/**
 * Owned by the HealthChecker thread. Hysteresis of one backend's active checks: {@code fall}
 * failures in a row take an UP backend DOWN, {@code rise} passes in a row bring a DOWN one UP, so a
 * backend that flaps faster than that does not make the pool thrash. A backend that starts DOWN only
 * because it was not checked yet ({@code initial_state = "down"}) comes UP on its first pass.
 */
final class RiseFall {

    private final int rise;
    private final int fall;
    private boolean up;
    private boolean checkedOnce;
    private int streak; // passes while DOWN, failures while UP

    RiseFall(int rise, int fall, boolean initiallyUp) {
        this.rise = rise;
        this.fall = fall;
        this.up = initiallyUp;
    }

    boolean isUp() {
        return up;
    }

    /** Records one probe; returns whether the state changed. */
    boolean record(boolean passed) {
        boolean first = !checkedOnce;
        checkedOnce = true;
        if (up == passed) {
            streak = 0; // the state is confirmed: any streak against it is broken
            return false;
        }
        streak++;
        if (first && passed || streak >= (up ? fall : rise)) {
            up = !up;
            streak = 0;
            return true;
        }
        return false;
    }

    /** Failures (while UP) or passes (while DOWN) in a row so far. */
    int streak() {
        return streak;
    }
}
