package lb.admin;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import lb.control.Caller;

/**
 * Admin thread only. Who is at the other end of an admin connection: the user the kernel reports
 * ({@code SO_PEERCRED}, which the JDK exposes as user and group but not as a pid), and the pid the
 * client declares, believed only when that process belongs to the same user (Linux /proc).
 */
final class PeerCredentials {

    private PeerCredentials() {
    }

    /** The peer's user name, or "-" when the platform does not say. */
    static String user(SocketChannel channel) {
        try {
            UnixDomainPrincipal principal = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return principal.user().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "-";
        }
    }

    /** The caller of one request from {@code user}'s connection that declared {@code pid} (-1: none). */
    static Caller caller(String user, long pid) {
        if (pid > 0) {
            Path proc = Path.of("/proc", Long.toString(pid));
            try {
                UserPrincipal owner = Files.getOwner(proc, LinkOption.NOFOLLOW_LINKS);
                if (owner.getName().equals(user)) {
                    return new Caller(user, ((Number) Files.getAttribute(proc, "unix:uid")).longValue(), pid, true);
                }
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                // no such process (it exited, or it lied): the pid stays unverified
            }
        }
        return new Caller(user, uidOf(user), pid, false);
    }

    /** The uid of a user name from /etc/passwd (a numeric name is its own uid), -1 when unknown. */
    private static long uidOf(String user) {
        if (user.matches("\\d{1,10}")) {
            return Long.parseLong(user);
        }
        try {
            List<String> lines = Files.readAllLines(Path.of("/etc/passwd"));
            for (String line : lines) {
                String[] fields = line.split(":", 4);
                if (fields.length >= 3 && fields[0].equals(user)) {
                    return Long.parseLong(fields[2]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return -1;
    }
}
