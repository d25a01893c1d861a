package lb.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ProbeBytesTest {

    @Test
    void escapesBecomeBytes() {
        assertArrayEquals(new byte[] {'P', 'I', 'N', 'G', '\r', '\n'}, ProbeBytes.unescape("PING\\r\\n"));
        assertArrayEquals(new byte[] {0, (byte) 0xff, '\t', '\\', 'a'}, ProbeBytes.unescape("\\0\\xFF\\t\\\\a"));
        assertArrayEquals("é+OK".getBytes(StandardCharsets.UTF_8), ProbeBytes.unescape("é+OK"));
        assertArrayEquals(new byte[0], ProbeBytes.unescape(""));
    }

    @Test
    void badEscapesAreNamed() {
        assertEquals("unknown escape \\q (escapes: \\r \\n \\t \\0 \\\\ \\xHH)",
                assertThrows(IllegalArgumentException.class, () -> ProbeBytes.unescape("a\\qb")).getMessage());
        assertEquals("\\x must be followed by two hex digits",
                assertThrows(IllegalArgumentException.class, () -> ProbeBytes.unescape("\\x4")).getMessage());
        assertEquals("ends with a lone \\ (escapes: \\r \\n \\t \\0 \\\\ \\xHH)",
                assertThrows(IllegalArgumentException.class, () -> ProbeBytes.unescape("abc\\")).getMessage());
    }
}
