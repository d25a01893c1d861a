package lb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Test thread only. The real CLI as a process against a real daemon process: exit codes as an
 * operator's script sees them.
 */
class CliProcessTest {

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private ServerSocket backend;

    /** Output and exit code of one finished process. */
    private record Run(int code, String out, String err) {
    }

    private static List<String> java(String mainClass, String... args) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    private Run cli(String... args) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(java("lb.cli.LbCli", args)).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        processes.add(p);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "lb-cli did not finish");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Path startDaemon() throws Exception {
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Path socket = dir.resolve("admin.sock");
        Path config = dir.resolve("lb.toml");
        Files.writeString(config, """
                [daemon]
                workers = 1
                admin_socket = "%s"
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                [[pool.backend]]
                name = "web-1"
                address = "127.0.0.1:%d"
                """.formatted(socket, backend.getLocalPort()), StandardCharsets.UTF_8);
        Path log = dir.resolve("daemon.log");
        Process daemon = new ProcessBuilder(java("lb.Main", "--config", config.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(daemon);
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(log).contains("ready") && System.nanoTime() < deadlineNs && daemon.isAlive()) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // poll the log, bounded by the deadline
        }
        assertTrue(Files.readString(log).contains("ready"), "daemon did not start: " + Files.readString(log));
        return socket;
    }

    @AfterEach
    void stop() throws IOException, InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void exitCodesAsAScriptSeesThem() throws Exception {
        Path socket = startDaemon();
        Run ok = cli("--socket", socket.toString(), "drain", "web/web-1");
        assertEquals(0, ok.code(), ok.err());
        assertEquals("web/web-1: draining, weight 1, 0 active session(s)\n", ok.out());

        Run refused = cli("--socket", socket.toString(), "drain", "web/nope");
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("no backend named \"nope\""), refused.err());

        Run usage = cli("--socket", socket.toString(), "drain");
        assertEquals(2, usage.code(), usage.err());

        Run unreachable = cli("--socket", dir.resolve("none.sock").toString(), "status");
        assertEquals(3, unreachable.code());
        assertTrue(unreachable.err().contains("systemctl status lb-daemon"), unreachable.err());

        Run json = cli("--socket", socket.toString(), "--json", "status");
        assertEquals(0, json.code(), json.err());
        assertTrue(json.out().startsWith("{\"ok\":true,\"result\":{") && json.out().contains("\"admin_state\":\"draining\""),
                json.out());
    }
}
