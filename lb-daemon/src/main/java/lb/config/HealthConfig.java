package lb.config;

import java.time.Duration;

/**
 * Immutable; any thread. How a pool judges and protects its backends.
 *
 * @param active                the active check, or null for none (backends are then UP)
 * @param passive               the passive check, or null for none
 * @param panicThresholdPercent below this share of usable backends, pick among all of them; 0 = never
 * @param slowStart             a backend coming UP ramps from 10% to full weight over this; 0 = at once
 */
public record HealthConfig(ActiveCheck active, PassiveCheck passive, int panicThresholdPercent, Duration slowStart) {

    public static final int DEFAULT_PANIC_THRESHOLD_PERCENT = 50;

    public static final HealthConfig DEFAULTS = new HealthConfig(null, null, DEFAULT_PANIC_THRESHOLD_PERCENT,
            Duration.ZERO);
}
