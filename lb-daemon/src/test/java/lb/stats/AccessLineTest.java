package lb.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import lb.config.AccessLogFormat;

/** Test thread. Access-log lines in logfmt and JSON: same fields, numbers as numbers, strings escaped. */
class AccessLineTest {

    /** 2026-12-04T02:19:15.007Z */
    private static final long EPOCH_MS = 1_796_350_755_007L;
    private static final String NASTY = "we\"b\\ a=b\nfake=1\r\t\u0001\u007f\u00e9";

    @Test
    void logfmtWithoutTimeKeepsTheJournalLineAsItWas() {
        String line = new AccessLine(AccessLogFormat.LOGFMT, false).format(EPOCH_MS, "127.0.0.1:40000", "web", "b1",
                12, 3_456, 7, 1, "completed", 257);
        assertEquals("client=127.0.0.1:40000 listener=web backend=b1 up=12 down=3456 ms=7 tries=1 end=completed id=257",
                line);
    }

    @Test
    void logfmtInAFileStartsWithTheTimeInUtcMilliseconds() {
        String line = new AccessLine(AccessLogFormat.LOGFMT, true).format(EPOCH_MS, "[::1]:5", "web", null, 0, 0, 30_000,
                3, "connect_failed", 513);
        assertEquals("time=2026-12-04T02:19:15.007Z client=[::1]:5 listener=web backend=- up=0 down=0 ms=30000 tries=3 "
                + "end=connect_failed id=513", line);
    }

    @Test
    void logfmtQuotesAndEscapesValuesThatWouldBreakTheLine() {
        String line = new AccessLine(AccessLogFormat.LOGFMT, false).format(0, "", NASTY, "-", 1, 2, 3, 1, "a b", 1);
        assertEquals("client=\"\" listener=\"we\\\"b\\\\ a=b\\nfake=1\\r\\t\\u0001\\u007f\u00e9\" backend=\"-\" up=1 down=2 "
                + "ms=3 tries=1 end=\"a b\" id=1", line);
        assertFalse(line.contains("\n") || line.contains("\r"), "one line");
    }

    @Test
    void jsonHasTheSameFieldsNumbersAsNumbersAndNullForNoBackend() {
        AccessLine json = new AccessLine(AccessLogFormat.JSON, true);
        String line = json.format(EPOCH_MS, "127.0.0.1:40000", "web", null, 12, 5_000_000_000L, 7, 2, "no_backend", 257);
        assertEquals("{\"time\":\"2026-12-04T02:19:15.007Z\",\"client\":\"127.0.0.1:40000\",\"listener\":\"web\","
                + "\"backend\":null,\"up\":12,\"down\":5000000000,\"ms\":7,\"tries\":2,\"end\":\"no_backend\",\"id\":257}", line);
        Map<?, ?> parsed = new Yaml().load(line);
        assertEquals(List.of("time", "client", "listener", "backend", "up", "down", "ms", "tries", "end", "id"),
                new ArrayList<>(parsed.keySet()));
        assertNull(parsed.get("backend"));
        assertEquals(5_000_000_000L, ((Number) parsed.get("down")).longValue());
        assertEquals(12, ((Number) parsed.get("up")).intValue());
    }

    @Test
    void jsonEscapesQuotesBackslashesNewlinesAndControlCharacters() {
        String line = new AccessLine(AccessLogFormat.JSON, false).format(0, "c", NASTY, "b\"1", 1, 2, 3, 1, "completed", 1);
        assertEquals("{\"client\":\"c\",\"listener\":\"we\\\"b\\\\ a=b\\nfake=1\\r\\t\\u0001\\u007f\u00e9\","
                + "\"backend\":\"b\\\"1\",\"up\":1,\"down\":2,\"ms\":3,\"tries\":1,\"end\":\"completed\",\"id\":1}", line);
        assertFalse(line.contains("\n") || line.contains("\r") || line.contains("\u0001"), "no raw control character");
        Map<?, ?> parsed = new Yaml().load(line);
        assertEquals(NASTY, parsed.get("listener"), "the value survives a round trip");
        assertEquals("b\"1", parsed.get("backend"));
    }

    @Test
    void theBuilderIsReusedWithoutLeakingTheLastLine() {
        AccessLine json = new AccessLine(AccessLogFormat.JSON, false);
        String first = json.format(0, "a", "web", "b1", 1, 1, 1, 1, "completed", 1);
        String second = json.format(0, "b", "web", "b2", 2, 2, 2, 1, "completed", 2);
        Map<?, ?> parsed = new Yaml().load(second);
        assertEquals("b", parsed.get("client"));
        assertTrue(first.startsWith("{\"client\":\"a\""), first);
        Map<String, Object> keys = new LinkedHashMap<>();
        parsed.forEach((k, v) -> keys.put((String) k, v));
        assertEquals(9, keys.size(), second);
    }
}
