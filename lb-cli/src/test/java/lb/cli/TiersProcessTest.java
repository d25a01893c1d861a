package lb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.testing.Cleanup;
import lb.testing.DaemonProcess;

/**
 * Test thread only. Backup tiers as an operator sees them: {@code lb-cli status} has a TIER column
 * and names the tier serving now; {@code lb-cli explain} says which tier a client goes to and why.
 */
class TiersProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private Path socket;

    private String cli(String... args) throws Exception {
        CliProcess cli = cleanup.track(CliProcess.start(socket, args));
        assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
        return cli.stdout();
    }

    @Test
    void statusAndExplainShowTheTier() throws Exception {
        socket = dir.resolve("admin.sock");
        Path config = dir.resolve("lb.toml");
        // Nothing connects to the backends: no session is opened.
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
                algorithm = "maglev"
                [[pool.backend]]
                name = "p1"
                address = "127.0.0.1:1"
                [[pool.backend]]
                name = "s1"
                address = "127.0.0.1:2"
                backup = true
                """.formatted(socket));
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--config", config.toString()));
        daemon.awaitLine(DaemonProcess.READY_LINE, TIMEOUT);

        String status = cli("status");
        assertTrue(status.contains("pool web (maglev), serving tier 0\n"), status);
        assertTrue(Pattern.compile("BACKEND\\s+ADDRESS\\s+TIER\\s+WEIGHT").matcher(status).find(), status);
        assertTrue(Pattern.compile("\\ns1\\s+127\\.0\\.0\\.1:2\\s+backup\\s+1\\s").matcher(status).find(), status);
        String explain = cli("explain", "10.0.0.1");
        assertTrue(explain.contains("tier: 0 (the best tier has an eligible backend; tier backup unused while it has one)\n"
                + "backend: p1\n"), explain);

        cli("drain", "web/p1");
        status = cli("status");
        assertTrue(status.contains("pool web (maglev), serving tier backup\n"), status);
        explain = cli("explain", "10.0.0.1");
        assertTrue(explain.contains("tier: backup (no backend of tier 0 is eligible)\nbackend: s1\n"), explain);
        assertTrue(explain.contains("ineligible: p1 (draining)"), explain);
    }
}
