package lb.bench;

import java.time.Duration;

import lb.config.Durations;
import picocli.CommandLine;

/**
 * Any thread (stateless). Reads {@code --duration 10s} style options with the daemon's own duration
 * syntax ({@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}), so one spelling works in both places.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
