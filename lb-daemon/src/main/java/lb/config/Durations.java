package lb.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Any thread (stateless). Durations as the config writes them: a non-negative integer and a unit
 * ({@code ms}, {@code s}, {@code m}, {@code h}) with nothing between, e.g. {@code "250ms"} or
 * {@code "5s"}. A bare {@code "5"} is rejected because a reader cannot tell seconds from
 * milliseconds; fractions are rejected because {@code "1500ms"} says the same thing exactly.
 */
public final class Durations {

    /** What a valid duration looks like; ends every "not a duration" message. */
    public static final String HINT = "use e.g. \"250ms\", \"5s\", \"2m\", \"1h\"";

    /** Deadlines are kept as long nanoseconds ({@code nowNs + timeoutNs}), so nothing longer is useful. */
    public static final Duration MAX = Duration.ofNanos(Long.MAX_VALUE);

    private static final Pattern FORM = Pattern.compile("([0-9]+)(ms|s|m|h)");

    private Durations() {
    }

    /**
     * @throws IllegalArgumentException with a message fit for a {@link ConfigError}, quoting {@code text}
     */
    public static Duration parse(String text) {
        Matcher form = FORM.matcher(text);
        if (!form.matches()) {
            throw new IllegalArgumentException(notADuration(ConfigError.quote(text)));
        }
        try {
            long amount = Long.parseLong(form.group(1));
            Duration duration = switch (form.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
            if (duration.compareTo(MAX) <= 0) {
                return duration;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // the amount overflows a long, or a long of seconds: reported below like any too-large value
        }
        throw new IllegalArgumentException(ConfigError.quote(text) + " is too large (at most about 292 years)");
    }

    /**
     * The largest unit that keeps the value exact: 90s → "90s", 120s → "2m", 1.5s → "1500ms". A
     * sub-millisecond remainder, which {@link #parse} never produces, falls back to ISO-8601.
     */
    public static String format(Duration duration) {
        if (duration.isNegative()) {
            return "-" + format(duration.negated());
        }
        long seconds = duration.getSeconds();
        if (duration.getNano() % 1_000_000 != 0 || seconds >= Long.MAX_VALUE / 1000) {
            return duration.toString();
        }
        if (duration.getNano() != 0) {
            return duration.toMillis() + "ms";
        }
        if (seconds != 0 && seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds != 0 && seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    /** @param shown the value as {@link ConfigError#show} renders it */
    static String notADuration(String shown) {
        return shown + " is not a duration (" + HINT + ")";
    }
}
