package lb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

    @ParameterizedTest(name = "\"{0}\" = {1}")
    @CsvSource({
        "0B, 0",
        "512B, 512",
        "64KiB, 65536",
        "4MiB, 4194304",
        "1GiB, 1073741824",
        "3GiB, 3221225472",
        "1000B, 1000",
    })
    void integerAndBinaryUnitParse(String text, long expected) {
        assertEquals(expected, Sizes.parse(text));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"65536", "64KB", "64kib", "64K", "64 KiB", "1.5MiB", "-1B", "1TiB", "KiB", "", "64KiB "})
    void anythingElseIsNotASize(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
        assertEquals(ConfigError.quote(text)
                + " is not a size (use a byte count, or e.g. \"512B\", \"64KiB\", \"4MiB\", \"1GiB\")", e.getMessage());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"9223372036854775808B", "8589934592GiB", "99999999999999999999KiB"})
    void overflowIsRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
        assertEquals("\"" + text + "\" is too large (at most 2^63-1 bytes)", e.getMessage());
    }

    @ParameterizedTest(name = "{0} → \"{1}\"")
    @CsvSource({
        "0, 0B",
        "1000, 1000B",
        "1024, 1KiB",
        "1536, 1536B",
        "32768, 32KiB",
        "1048576, 1MiB",
        "1073741824, 1GiB",
        "2147483648, 2GiB",
    })
    void formatUsesTheLargestExactUnit(long bytes, String expected) {
        assertEquals(expected, Sizes.format(bytes));
        assertEquals(bytes, Sizes.parse(expected));
    }
}
