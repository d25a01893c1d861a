package lb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Test thread. What is not a config file gets one line, never a hang, an out-of-memory error or a
 * stack trace: a device, a FIFO, a directory, a huge file, nesting the parser would recurse into.
 */
class ConfigFileLimitsTest {

    private static final Duration QUICK = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static String onlyError(Path file) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> assertTimeoutPreemptively(QUICK, () -> ConfigLoader.load(file)));
        assertEquals(1, e.errors().size(), e.errors().toString());
        return e.errors().get(0).toString();
    }

    @Test
    void aDeviceIsNotAConfig() {
        assertEquals("/dev/zero: not a regular file (a device or FIFO is not a config)",
                onlyError(Path.of("/dev/zero")));
    }

    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("lb.toml");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertEquals(fifo + ": not a regular file (a device or FIFO is not a config)", onlyError(fifo));
    }

    @Test
    void aFileOverOneMebibyteIsRefused() throws Exception {
        Path big = dir.resolve("big.toml");
        Files.writeString(big, "# " + "x".repeat(2 << 20) + "\n");
        assertEquals(big + ": larger than 1 MiB: not a config", onlyError(big));
    }

    @Test
    void deepNestingIsRefusedBeforeTheParserRecurses() throws Exception {
        Path deep = dir.resolve("deep.toml");
        Files.writeString(deep, "x = " + "[".repeat(5_000) + "]".repeat(5_000) + "\n");
        assertEquals("toml: arrays or inline tables nested 5000 deep (at most 32)", onlyError(deep));
    }

    @Test
    void bracketsInStringsAndCommentsDoNotCount() {
        assertEquals(2, TomlSyntax.nesting("a = [\"[[[[\", '{{{{']  # [[[[[[\n[[pool]]\nb = \"\\\"[\"\n"));
    }
}
