package lb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "\"{0}\" = {1}")
    @CsvSource({
        "250ms, PT0.25S",
        "0ms, PT0S",
        "0s, PT0S",
        "5s, PT5S",
        "90s, PT1M30S",
        "2m, PT2M",
        "1h, PT1H",
        "007s, PT7S",
        "2562047h, PT2562047H",
    })
    void integerAndUnitParse(String text, Duration expected) {
        assertEquals(expected, Durations.parse(text));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"5", "-1s", "1.5s", "5 s", " 5s", "5s ", "5S", "5sec", "5d", "5us", "s", "", "+5s", "1e3ms",
        "5m30s", "٥s"})
    void anythingElseIsNotADuration(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertEquals(ConfigError.quote(text) + " is not a duration (use e.g. \"250ms\", \"5s\", \"2m\", \"1h\")",
                e.getMessage());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"9223372036854775808ms", "99999999999999999999s", "9999999999999999m", "2562048h"})
    void overflowIsRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertEquals("\"" + text + "\" is too large (at most about 292 years)", e.getMessage());
    }

    @ParameterizedTest(name = "{0} → \"{1}\"")
    @CsvSource({
        "PT0S, 0s",
        "PT0.25S, 250ms",
        "PT1.5S, 1500ms",
        "PT5S, 5s",
        "PT1M30S, 90s",
        "PT2M, 2m",
        "PT1H30M, 90m",
        "PT25H, 25h",
        "PT-5S, -5s",
    })
    void formatUsesTheLargestExactUnit(Duration duration, String expected) {
        assertEquals(expected, Durations.format(duration));
    }

    @Test
    void formatFallsBackToIsoBelowOneMillisecond() {
        assertEquals("PT0.0000015S", Durations.format(Duration.ofNanos(1500)));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"0s", "1ms", "999ms", "1001ms", "59s", "61s", "59m", "61m", "24h", "2562047h"})
    void formatThenParseGivesTheSameDuration(String text) {
        Duration duration = Durations.parse(text);
        assertEquals(duration, Durations.parse(Durations.format(duration)));
    }
}
