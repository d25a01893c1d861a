package lb.config;

import java.time.Duration;

/**
 * Immutable; any thread. A pool's passive check (outlier detection, circuit breaking): the
 * {@code [pool.outlier]} table.
 *
 * @param consecutiveFailures failed sessions in a row (connect failures, or resets before the
 *                            backend sent a byte) that eject a backend
 * @param ejectionTime        the first ejection's length; each repeated ejection doubles it
 * @param maxEjectionTime     the doubling stops here
 * @param maxEjectionPercent  never more than this share of the pool ejected at once
 */
public record PassiveCheck(int consecutiveFailures, Duration ejectionTime, Duration maxEjectionTime,
                           int maxEjectionPercent) {

    public static final int DEFAULT_CONSECUTIVE_FAILURES = 5;
    public static final Duration DEFAULT_EJECTION_TIME = Duration.ofSeconds(10);
    public static final Duration DEFAULT_MAX_EJECTION_TIME = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_EJECTION_PERCENT = 50;
}
