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
        CommandLine cli = new CommandLine(new LbCli());
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
}
