package lb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** Test thread only. */
class BenchTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Bench.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpExitsZeroAndNamesTheCommand() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("Usage: bench"), out.toString());
        assertTrue(out.toString().contains("backend") && out.toString().contains("load"),
                "names its subcommands: " + out);
    }

    @Test
    void aNumberThatIsNoneSaysWhatIsExpected() {
        assertEquals(2, run("load", "--target", "127.0.0.1:1", "--mode", "rr", "-c", "abc"));
        assertTrue(err.toString().startsWith("Invalid value for option '--connections': expected a whole number such "
                + "as 5, got 'abc'"), err.toString());
    }

    @Test
    void eachCommandsSummaryIsAWholeSentence() {
        CommandLine cli = new CommandLine(new Bench());
        for (var entry : cli.getSubcommands().entrySet()) {
            String[] description = entry.getValue().getCommandSpec().usageMessage().description();
            assertTrue(description.length > 0 && description[0].endsWith("."),
                    entry.getKey() + "'s summary, as bench --help lists it, ends a sentence: " + description[0]);
        }
    }

    @Test
    void noArgumentsPrintsUsage() {
        assertEquals(0, run());
        assertTrue(out.toString().contains("Usage: bench"), out.toString());
    }

    @Test
    void versionExitsZero() {
        assertEquals(0, run("--version"));
        assertTrue(out.toString().startsWith("bench "), out.toString());
    }

    @Test
    void unknownOptionIsAUsageErrorWithExitCode2() {
        assertEquals(2, run("--no-such-option"));
        assertTrue(err.toString().contains("Unknown option: '--no-such-option'"), err.toString());
    }
}
