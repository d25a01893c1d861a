package lb.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.testing.AdminClient;
import lb.testing.Cleanup;
import lb.testing.DaemonProcess;

/**
 * Test thread. Every state-changing command writes one audit line to a daemon process's log:
 * command, target, before -> after, and who asked (uid from SO_PEERCRED, pid declared and checked).
 */
class AuditProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void everyChangeIsAuditedWithBeforeAfterUidAndPid() throws Exception {
        Path file = dir.resolve("lb.toml");
        String config = """
                [daemon]
                workers = 1
                access_log = false
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
                weight = %d
                """;
        Path socket = dir.resolve("admin.sock");
        Files.writeString(file, config.formatted(socket, 1));
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--config", file.toString()));
        daemon.awaitLine(DaemonProcess.READY_LINE, WAIT);
        long pid = ProcessHandle.current().pid();
        long uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        String who = "by uid=" + uid + " \\(\\S+\\) pid=" + pid + "$";
        List<List<String>> requestsAndLines = List.of(
                List.of("{\"cmd\":\"drain\",\"target\":\"web/a\"}", "drain web/a admin_state active -> draining"),
                List.of("{\"cmd\":\"undrain\",\"target\":\"web/a\"}", "undrain web/a admin_state draining -> active"),
                List.of("{\"cmd\":\"disable\",\"target\":\"web/a\"}", "disable web/a admin_state active -> disabled"),
                List.of("{\"cmd\":\"enable\",\"target\":\"web/a\"}", "enable web/a admin_state disabled -> active"),
                List.of("{\"cmd\":\"set-weight\",\"target\":\"web/a\",\"weight\":7}", "set-weight web/a weight 1 -> 7"),
                List.of("{\"cmd\":\"add-backend\",\"pool\":\"web\",\"address\":\"127.0.0.1:2\",\"name\":\"b\"}",
                        "add-backend web/b absent -> 127.0.0.1:2 weight 1"),
                List.of("{\"cmd\":\"remove-backend\",\"target\":\"web/b\",\"timeout_ms\":5000}",
                        "remove-backend web/b in pool \\(draining\\) -> removed \\(drained\\)"));
        try (AdminClient client = cleanup.track(new AdminClient(socket))) {
            for (List<String> r : requestsAndLines) {
                String request = r.get(0).replaceFirst("}$", ",\"client_pid\":" + pid + "}");
                String reply = client.call(request);
                assertTrue(reply.startsWith("{\"ok\":true"), request + " -> " + reply);
                daemon.awaitLine(Pattern.compile("audit #\\d+ " + r.get(1) + " " + who), WAIT);
            }
            Files.writeString(file, config.formatted(socket, 3));
            String request = "{\"cmd\":\"reload\",\"client_pid\":" + pid + "}";
            assertTrue(client.call(request).startsWith("{\"ok\":true"));
            daemon.awaitLine(Pattern.compile("audit #\\d+ reload " + Pattern.quote(file.toString())
                    + " \\d change\\(s\\): .*pool web: backend a weight 7 -> 3 " + who), WAIT);
        }
        long audited = daemon.stderrLines().stream().filter(l -> l.contains(" audit #")).count();
        assertEquals(requestsAndLines.size() + 1 + 1, audited, "one line per change (remove-backend: drain, then removal)"
                + daemon.stderr());
    }
}
