package lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.testing.Cleanup;
import lb.testing.DaemonProcess;

/**
 * Test thread. No half-alive daemon: when one of its threads dies of an unexpected throwable
 * (injected with the test-only {@code -Dlb.test.fault=THREAD}), the daemon process exits at once
 * with status 70 and one line naming the thread, so that systemd restarts it.
 */
class ThreadDeathProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"EventLoop-0", "lb-stats", "lb-health", "lb-admin", "lb-metrics", "lb-access-log"})
    void aThreadThatDiesEndsTheProcessWithStatus70(String thread) throws Exception {
        Path file = dir.resolve("lb.toml");
        Files.writeString(file, """
                [daemon]
                workers = 1
                access_log = %s
                admin_socket = "%s"
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                [[pool.backend]]
                name = "a"
                address = "127.0.0.1:1"
                [metrics]
                listen = "127.0.0.1:0"
                """.formatted(thread.equals("lb-access-log") ? "\"" + dir.resolve("access.log") + "\"" : "false",
                dir.resolve("admin.sock")));
        DaemonProcess daemon = cleanup.track(DaemonProcess.startWithJvmOptions(
                List.of("-Dlb.test.fault=" + thread), "--config", file.toString()));
        assertEquals(Main.THREAD_DIED, daemon.awaitExit(WAIT), daemon.output());
        assertTrue(daemon.stderrLines().stream().anyMatch(l -> l.startsWith("lb-daemon: thread " + thread
                + " died (") && l.endsWith("exiting with status 70 so that the service manager restarts lb-daemon")),
                daemon.output());
    }
}
