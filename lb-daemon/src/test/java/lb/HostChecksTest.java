package lb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lb.config.AccessLogFormat;
import lb.config.Config;
import lb.config.DaemonConfig;

/**
 * Test thread. The checks this suite cannot make happen for real: it runs as root, for whom every
 * directory is writable, so what "writable" means is handed in.
 */
class HostChecksTest {

    @TempDir
    Path dir;

    private Config config(Path socket, Path state) {
        return new Config(Optional.empty(), new DaemonConfig(1, Duration.ofSeconds(1), false, 32 * 1024,
                DaemonConfig.AUTO_BUFFER_POOL_MAX, socket, null, state, true), List.of(), List.of());
    }

    @Test
    void directoriesAndAStateFileThisUserCannotWriteAreNamedWithTheirKeys() throws Exception {
        Path state = Files.writeString(dir.resolve("state.json"), "{}");
        String user = System.getProperty("user.name");
        assertEquals(List.of(
                "daemon.admin_socket: directory " + dir + " is not writable by this user (" + user
                        + ") (create it, or admin_socket = \"\" for none)",
                "daemon.state_file: directory " + dir + " is not writable by this user (" + user + ")"),
                HostChecks.problems(config(dir.resolve("admin.sock"), state), p -> false));
        assertEquals(List.of("daemon.state_file: " + state + " is not writable by this user"),
                HostChecks.problems(config(null, state), p -> !p.equals(state)));
        assertEquals(List.of(), HostChecks.problems(config(dir.resolve("admin.sock"), state)));
    }

    private static Config accessLogTo(Path file) {
        return new Config(Optional.empty(), new DaemonConfig(1, Duration.ofSeconds(1), true, 32 * 1024,
                DaemonConfig.AUTO_BUFFER_POOL_MAX, null, null, null, true, file, AccessLogFormat.JSON), List.of(),
                List.of());
    }

    @Test
    void anAccessLogFileNeedsAnExistingWritableDirectoryAndAWritableRegularFile() throws Exception {
        String user = System.getProperty("user.name");
        Path missing = dir.resolve("no-such-dir").resolve("access.log");
        assertEquals(List.of("daemon.access_log: directory " + missing.getParent() + " does not exist (create it, or "
                + "access_log = \"journal\")"), HostChecks.problems(accessLogTo(missing)));
        Path log = dir.resolve("access.log");
        assertEquals(List.of("daemon.access_log: directory " + dir + " is not writable by this user (" + user
                + ") (create it, or access_log = \"journal\")"), HostChecks.problems(accessLogTo(log), p -> false));
        Files.writeString(log, "");
        assertEquals(List.of("daemon.access_log: " + log + " is not writable by this user"),
                HostChecks.problems(accessLogTo(log), p -> !p.equals(log)));
        assertEquals(List.of("daemon.access_log: " + dir + " is not a regular file"),
                HostChecks.problems(accessLogTo(dir)));
        assertEquals(List.of(), HostChecks.problems(accessLogTo(log)));
    }
}
