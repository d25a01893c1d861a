package lb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** Test thread only. */
class LbCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = LbCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpExitsZeroAndNamesTheCommand() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("Usage: lb-cli"), out.toString());
        for (String command : new String[] {"status", "version"}) {
            assertTrue(out.toString().contains(command), "--help lists " + command + ": " + out);
        }
    }

    @Test
    void noArgumentsPrintsUsage() {
        assertEquals(0, run());
        assertTrue(out.toString().contains("Usage: lb-cli"), out.toString());
    }

    @Test
    void versionExitsZero() {
        assertEquals(0, run("--version"));
        assertTrue(out.toString().startsWith("lb-cli "), out.toString());
    }

    @Test
    void unknownOptionIsAUsageErrorWithExitCode2() {
        assertEquals(2, run("--no-such-option"));
        assertTrue(err.toString().contains("Unknown option: '--no-such-option'"), err.toString());
    }

    @Test
    void unknownArgumentIsAUsageErrorWithExitCode2() {
        assertEquals(2, run("reboot"));
        assertTrue(err.toString().contains("reboot"), err.toString());
    }

    @Test
    void generateCompletionPrintsABashScriptNamingTheCommands() {
        assertEquals(0, run("generate-completion"));
        String script = out.toString();
        assertTrue(script.contains("lb-cli") && script.contains("complete -F"), script.substring(0, Math.min(300, script.length())));
        for (String command : new String[] {"status", "drain", "weight", "add", "remove", "sessions"}) {
            assertTrue(script.contains(command), "completion knows " + command);
        }
    }

    @Test
    void everyCommandHasItsOwnHelpAndASummaryThatIsAWholeSentence() {
        CommandLine cli = LbCli.commandLine();
        for (var entry : cli.getSubcommands().entrySet()) {
            String name = entry.getKey();
            if (name.equals("help") || entry.getValue().getCommandSpec().usageMessage().hidden()) {
                continue;
            }
            out.getBuffer().setLength(0);
            assertEquals(0, run(name, "--help"), name + " --help: " + err);
            assertTrue(out.toString().startsWith("Usage: lb-cli " + name), out.toString());
            String[] description = entry.getValue().getCommandSpec().usageMessage().description();
            assertTrue(description.length > 0 && description[0].endsWith("."),
                    name + "'s summary, as lb-cli --help lists it, ends a sentence: " + String.join("|", description));
            out.getBuffer().setLength(0);
            assertEquals(0, run("help", name), "help " + name + ": " + err);
            assertTrue(out.toString().startsWith("Usage: lb-cli " + name), out.toString());
        }
        assertEquals(0, run("help"));
        assertTrue(out.toString().contains("Usage: lb-cli"), out.toString());
    }

    @Test
    void aNumberThatIsNoneSaysWhatIsExpected() {
        assertEquals(2, run("weight", "web/a", "abc"));
        assertTrue(err.toString().startsWith("Invalid value for positional parameter at index 1 (WEIGHT): expected a "
                + "whole number such as 5, got 'abc'"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("disable", "web/a", "--grace", "soon"));
        assertTrue(err.toString().startsWith("Invalid value for option '--grace': expected a number such as 5 or 0.5, "
                + "got 'soon'"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("--timeout", "1e99", "status"));
        assertTrue(err.toString().startsWith("Invalid value for option '--timeout': expected a whole number"), err.toString());
    }

    @Test
    void theExitCodesAreListedOnceEach() {
        assertEquals(0, run("--help"));
        String text = out.toString();
        for (String line : new String[] {"  1   refused by the daemon; for diff: the live state differs from the file",
            "  4   drain --wait: the deadline came with sessions left", "  5   done, but not saved to the state file"}) {
            assertTrue(text.contains(line), text);
        }
    }
}
