package lb.bench.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import lb.bench.Bench;
import picocli.CommandLine;

/** Test thread only. {@code bench backend} as an operator runs it, in-process. */
class BackendCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new Bench());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void printsOneParsableLinePerPortAndStopsAtTheEndOfItsDuration() {
        long startNs = System.nanoTime();
        assertEquals(0, run("backend", "--type", "echo", "--port", "0", "--port", "0", "--duration", "300ms"), err.toString());
        long tookMs = (System.nanoTime() - startNs) / 1_000_000;
        Matcher m = Pattern.compile("^echo backend listening on 127\\.0\\.0\\.1:(\\d+)$", Pattern.MULTILINE)
                .matcher(out.toString());
        int lines = 0;
        while (m.find()) {
            assertTrue(Integer.parseInt(m.group(1)) > 0, out.toString());
            lines++;
        }
        assertEquals(2, lines, out.toString());
        assertTrue(tookMs >= 300 && tookMs < 5_000, "ran " + tookMs + " ms");
    }

    @Test
    void unknownTypeIsAUsageError() {
        assertEquals(2, run("backend", "--type", "ftp", "--port", "0"));
        assertTrue(err.toString().contains("unknown backend type 'ftp': use echo, sink, source or http"), err.toString());
    }

    @Test
    void portOutOfRangeIsAUsageError() {
        assertEquals(2, run("backend", "--type", "echo", "--port", "70000"));
        assertTrue(err.toString().contains("--port 70000 is not a port"), err.toString());
    }
}
