package lb.config;

import java.time.Duration;
import java.util.List;

/** Any thread (stateless). Reads a {@code [pool.outlier]} table: the passive check. */
final class OutlierSection {

    static final List<String> KEYS = List.of("consecutive_failures", "ejection_time", "max_ejection_percent",
            "max_ejection_time");

    private OutlierSection() {
    }

    static PassiveCheck read(TomlTable t) {
        t.onlyKeys(KEYS);
        int failures = (int) t.integer("consecutive_failures", PassiveCheck.DEFAULT_CONSECUTIVE_FAILURES, 1, 1000,
                "1..1000");
        Duration ejection = t.duration("ejection_time", PassiveCheck.DEFAULT_EJECTION_TIME, Duration.ofMillis(10),
                "10ms..24h");
        Duration maxEjection = t.duration("max_ejection_time", PassiveCheck.DEFAULT_MAX_EJECTION_TIME,
                Duration.ofMillis(10), "10ms..24h, at least ejection_time");
        if (maxEjection.compareTo(ejection) < 0) {
            t.error("max_ejection_time", Durations.format(maxEjection) + " is shorter than ejection_time "
                    + Durations.format(ejection));
        }
        int percent = (int) t.integer("max_ejection_percent", PassiveCheck.DEFAULT_MAX_EJECTION_PERCENT, 0, 100,
                "0..100 (percent)");
        return new PassiveCheck(failures, ejection, maxEjection, percent);
    }
}
