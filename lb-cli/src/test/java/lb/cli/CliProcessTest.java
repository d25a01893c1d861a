package lb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.testing.Cleanup;
import lb.testing.DaemonProcess;

/**
 * Test thread only. The real CLI as a process against a real daemon process: exit codes as an
 * operator's script sees them.
 */
class CliProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private CliProcess cli(Path socket, String... args) throws Exception {
        CliProcess cli = cleanup.track(CliProcess.start(socket, args));
        cli.awaitExit(TIMEOUT);
        return cli;
    }

    private Path startDaemon() throws Exception {
        ServerSocket backend = cleanup.track(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
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
                """.formatted(socket, backend.getLocalPort()));
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--config", config.toString()));
        daemon.awaitLine(DaemonProcess.READY_LINE, TIMEOUT);
        return socket;
    }

    @Test
    void exitCodesAsAScriptSeesThem() throws Exception {
        Path socket = startDaemon();
        CliProcess ok = cli(socket, "drain", "web/web-1");
        assertEquals(0, ok.awaitExit(TIMEOUT), ok.output());
        assertEquals("web/web-1: draining, weight 1, 0 active session(s)\n", ok.stdout());

        CliProcess refused = cli(socket, "drain", "web/nope");
        assertEquals(1, refused.awaitExit(TIMEOUT));
        assertTrue(refused.stderr().contains("no backend named \"nope\""), refused.output());

        CliProcess usage = cli(socket, "drain");
        assertEquals(2, usage.awaitExit(TIMEOUT), usage.output());

        CliProcess unreachable = cli(dir.resolve("none.sock"), "status");
        assertEquals(3, unreachable.awaitExit(TIMEOUT));
        assertTrue(unreachable.stderr().contains("systemctl status lb-daemon"), unreachable.output());

        CliProcess json = cli(socket, "--json", "status");
        assertEquals(0, json.awaitExit(TIMEOUT), json.output());
        assertTrue(json.stdout().startsWith("{\"ok\":true,\"result\":{")
                && json.stdout().contains("\"admin_state\":\"draining\""), json.output());
    }
}
