package lb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Any thread. Key paths as the loader names them, found on their lines. */
class KeyLinesTest {

    private static final String TOML = """
            [daemon]
            workers = 2

            [[listener]]
            name = "a"
            [[listener]]
              bind = "127.0.0.1:1"   # indented, with a comment

            [[pool]]
            name = "one"
            [[pool.backend]]
            address = "127.0.0.1:9001"
            [[pool]]
            name = "two"
            [pool.health]
            interval = "1s"
            [[pool.backend]]
            address = "x"
            [[pool.backend]]
            weight = 0
            """;

    @Test
    void keysOfRepeatedAndNestedTablesAreFoundOnTheirLines() {
        KeyLines lines = KeyLines.of(TOML);
        assertEquals(2, lines.lineOf("daemon.workers"));
        assertEquals(7, lines.lineOf("listener[1].bind"));
        assertEquals(12, lines.lineOf("pool[0].backend[0].address"));
        assertEquals(16, lines.lineOf("pool[1].health.interval"));
        assertEquals(18, lines.lineOf("pool[1].backend[0].address"), "the second pool's backends count from 0");
        assertEquals(20, lines.lineOf("pool[1].backend[1].weight"));
    }

    @Test
    void aKeyNotWrittenPointsAtItsTableAndAnUnknownPlaceAtNothing() {
        KeyLines lines = KeyLines.of(TOML);
        assertEquals(6, lines.lineOf("listener[1].pool"), "missing: the header of its table");
        assertEquals(0, lines.lineOf("metrics.listen"));
    }

    @Test
    void editDistanceSuggestsOnlyNearKeys() {
        assertEquals(1, TomlTable.editDistance("worker", "workers"));
        assertEquals(1, TomlTable.editDistance("wieght", "weight"), "a swap is one edit");
        assertEquals(2, TomlTable.editDistance("buffersize", "buffer_size_"));
        assertEquals(2, TomlTable.editDistance("speed", "send"));
        assertEquals(7, TomlTable.editDistance("workers", ""));
    }
}
