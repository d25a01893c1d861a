package lb.bench.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
    void runsAsAProcessUntilSigterm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "lb.bench.Bench", "backend", "--type", "http", "--port", "0").redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine(); // blocks until the first line or the process ends (then null)
            assertTrue(line != null && line.matches("http backend listening on 127\\.0\\.0\\.1:\\d+"), line);
            int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(reply.startsWith("HTTP/1.1 200 OK"), reply);
            }
            process.toHandle().destroy(); // SIGTERM
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "still running 10 s after SIGTERM");
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void unknownTypeIsAUsageError() {
        assertEquals(2, run("backend", "--type", "ftp", "--port", "0"));
        assertTrue(err.toString().contains("unknown backend type 'ftp': use echo, sink, source, http or tls-echo"), err.toString());
    }

    @Test
    void portOutOfRangeIsAUsageError() {
        assertEquals(2, run("backend", "--type", "echo", "--port", "70000"));
        assertTrue(err.toString().contains("--port 70000 is not a port"), err.toString());
    }
}
