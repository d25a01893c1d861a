package lb.admin;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up thread. The admin socket file: where it may be bound, who may use it (mode 0660, a
 * group), and what to do with one left behind: a stale file from a crashed daemon is replaced, one
 * that a live daemon answers on is not.
 */
final class AdminSocket {

    private static final Logger LOG = LoggerFactory.getLogger(AdminSocket.class);

    private AdminSocket() {
    }

    /**
     * A non-blocking listening channel bound at {@code path}.
     *
     * @throws IOException with a message fit for one line on stderr; nothing is left bound
     */
    static ServerSocketChannel bind(Path path, String group) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("admin socket " + path + ": directory " + dir + " does not exist (create it, set "
                    + "[daemon] admin_socket, or admin_socket = \"\" for none)");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (answers(path)) {
                throw new IOException("admin socket " + path + " is in use: another lb-daemon is running (stop it, "
                        + "or give this one another admin_socket)");
            }
            int mode = (int) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & 0170000) != 0140000) {
                throw new IOException("admin socket " + path + " exists and is not a socket; not replacing it");
            }
            Files.delete(path); // stale: left by a daemon that did not exit cleanly
            LOG.info("replaced stale admin socket {}", path);
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path), 64);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            if (group != null) {
                GroupPrincipal principal = path.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByGroupName(group);
                Files.setAttribute(path, "posix:group", principal, LinkOption.NOFOLLOW_LINKS);
            }
            server.configureBlocking(false);
            return server;
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(path);
            String why = e instanceof java.nio.file.attribute.UserPrincipalNotFoundException ? "no group \"" + group
                    + "\" on this host" : e.getMessage();
            throw new IOException("admin socket " + path + ": " + why, e);
        }
    }

    private static boolean answers(Path path) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false; // refused (nobody listens) or not a socket: no live daemon there
        }
    }
}
