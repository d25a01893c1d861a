package lb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import lb.config.Config;
import lb.config.DaemonConfig;

/**
 * Any thread (stateless). What a config needs of this host's file system that parsing cannot see:
 * the directories the admin socket, the state file and a file access log go in, and the admin socket's group. Run by
 * {@code --check-config} and before start, so that the unit's check (as the daemon's user, after
 * systemd made its runtime and state directories) fails where start-up would, with the key path.
 */
final class HostChecks {

    private HostChecks() {
    }

    /** Every problem, each one {@code key path: message}; empty when the host is ready. */
    static List<String> problems(Config config) {
        return problems(config, Files::isWritable);
    }

    /** As {@link #problems(Config)}, with what counts as writable (tests: the suite runs as root). */
    static List<String> problems(Config config, Predicate<Path> writable) {
        DaemonConfig d = config.daemon();
        List<String> problems = new ArrayList<>();
        Path socket = d.adminSocket();
        if (socket != null) {
            String dirProblem = directoryProblem(socket, writable);
            if (dirProblem != null) {
                problems.add("daemon.admin_socket: " + dirProblem + " (create it, or admin_socket = \"\" for none)");
            } else if (d.adminSocketGroup() != null) {
                String groupProblem = groupProblem(socket.toAbsolutePath().getParent(), d.adminSocketGroup());
                if (groupProblem != null) {
                    problems.add("daemon.admin_socket_group: " + groupProblem);
                }
            }
        }
        Path state = d.stateFile();
        if (state != null) {
            String dirProblem = directoryProblem(state, writable);
            if (dirProblem != null) {
                problems.add("daemon.state_file: " + dirProblem);
            } else if (Files.exists(state) && (!Files.isRegularFile(state) || !writable.test(state))) {
                problems.add("daemon.state_file: " + state + (Files.isRegularFile(state) ? " is not writable by this user"
                        : " is not a regular file"));
            }
        }
        Path accessLog = d.accessLog() ? d.accessLogFile() : null;
        if (accessLog != null) {
            String dirProblem = directoryProblem(accessLog, writable);
            if (dirProblem != null) {
                problems.add("daemon.access_log: " + dirProblem + " (create it, or access_log = \"journal\")");
            } else if (Files.exists(accessLog) && (!Files.isRegularFile(accessLog) || !writable.test(accessLog))) {
                problems.add("daemon.access_log: " + accessLog + (Files.isRegularFile(accessLog)
                        ? " is not writable by this user" : " is not a regular file"));
            }
        }
        return problems;
    }

    /** Why files cannot be made next to {@code file}, or null. */
    private static String directoryProblem(Path file, Predicate<Path> writable) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.exists(dir)) {
            return "directory " + dir + " does not exist";
        }
        if (!Files.isDirectory(dir)) {
            return dir + " is not a directory";
        }
        if (!writable.test(dir)) {
            return "directory " + dir + " is not writable by this user (" + System.getProperty("user.name") + ")";
        }
        return null;
    }

    /**
     * Why the socket file cannot be given to {@code group}, or null: tried on a scratch file in the
     * socket's directory, since only the kernel knows whether this user may (it must be a member).
     */
    private static String groupProblem(Path dir, String group) {
        GroupPrincipal principal;
        try {
            principal = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (UserPrincipalNotFoundException e) {
            return "no group \"" + group + "\" on this host";
        } catch (IOException e) {
            return "cannot look up group \"" + group + "\": " + e.getMessage();
        }
        Path probe = null;
        try {
            probe = Files.createTempFile(dir, ".lb-group-check", null);
            Files.setAttribute(probe, "posix:group", principal, LinkOption.NOFOLLOW_LINKS);
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot give the socket to group \"" + group + "\" (" + e.getMessage() + "): the daemon's user ("
                    + System.getProperty("user.name") + ") must be a member";
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a scratch file left behind costs nothing; the check's answer stands
                }
            }
        }
    }
}
