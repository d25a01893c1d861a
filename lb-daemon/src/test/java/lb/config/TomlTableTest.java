package lb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TomlTableTest {

    private final List<ConfigError> errors = new ArrayList<>();

    private TomlTable table(Map<String, Object> values) {
        return new TomlTable("pool[1]", values, errors);
    }

    @Test
    void absentKeysTakeTheirDefaultsWithoutErrors() {
        TomlTable t = table(Map.of());
        assertEquals("x", t.string("s", "x"));
        assertTrue(t.bool("b", true));
        assertEquals(7, t.integer("i", 7, 0, 10, "0..10"));
        assertEquals(Duration.ofSeconds(1), t.duration("d", Duration.ofSeconds(1), Duration.ZERO, "0s..24h"));
        assertEquals(List.of(), errors);
    }

    @Test
    void aBadValueIsRecordedUnderItsKeyPathAndTheDefaultReturned() {
        TomlTable t = table(Map.of("retries", 99L, "connect_timeout", 5L));
        assertEquals(2, t.integer("retries", 2, 0, 16, "0..16"));
        assertEquals(Duration.ofSeconds(5),
                t.duration("connect_timeout", Duration.ofSeconds(5), Duration.ZERO, "1ms..24h"));
        assertEquals(List.of(
                new ConfigError("pool[1].retries", "99 is out of range (allowed: 0..16)"),
                new ConfigError("pool[1].connect_timeout", "5 is not a duration (" + Durations.HINT + ")")), errors);
    }

    @Test
    void durationsLongerThanADayAreOutOfRange() {
        TomlTable t = table(Map.of("idle_timeout", "25h"));
        assertNull(t.duration("idle_timeout", null, Duration.ZERO, "0s..24h"));
        assertEquals(List.of(new ConfigError("pool[1].idle_timeout", "\"25h\" is out of range (allowed: 0s..24h)")),
                errors);
    }

    @Test
    void unknownKeysAreListedInOrderWithTheKnownOnes() {
        table(Map.of("zz", 1L, "name", "a", "aa", 1L)).onlyKeys(List.of("name"));
        assertEquals(List.of(
                new ConfigError("pool[1].aa", "unknown key (known: name)"),
                new ConfigError("pool[1].zz", "unknown key (known: name)")), errors);
    }

    @Test
    void subTablesExtendTheKeyPath() {
        Map<String, Object> values = new HashMap<>();
        values.put("health", Map.of("rise", "x"));
        values.put("backend", List.of(Map.of(), Map.of("weight", 0L)));
        TomlTable t = table(values);
        t.table("health").integer("rise", 2, 1, 100, "1..100");
        List<TomlTable> backends = t.tables("backend", "[[pool.backend]]");
        assertEquals("pool[1].backend[1]", backends.get(1).path());
        assertEquals(List.of(new ConfigError("pool[1].health.rise", "\"x\" is not an integer (allowed: 1..100)")),
                errors);
    }

    @Test
    void aSecondUseOfAValueNamesTheFirstTable() {
        Map<String, String> firstByName = new HashMap<>();
        new TomlTable("pool[0]", Map.of(), errors).unique("name", "web", firstByName);
        table(Map.of()).unique("name", "web", firstByName);
        assertEquals(List.of(new ConfigError("pool[1].name", "duplicate name \"web\" (also pool[0])")), errors);
    }

    @Test
    void aNameBreakingItsRuleIsNull() {
        TomlTable t = table(Map.of("name", "a b"));
        assertNull(t.name("name", NameRule.PLAIN));
        assertEquals(List.of(new ConfigError("pool[1].name",
                "\"a b\" is not a valid name (allowed: 1..64 characters from A-Z a-z 0-9 _ . -)")), errors);
    }
}
