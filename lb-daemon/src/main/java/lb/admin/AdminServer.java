package lb.admin;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the {@code lb-admin} thread, its Selector, the admin Unix socket and every admin
 * connection. The protocol is one JSON object per line each way (DESIGN.md). One non-blocking
 * thread serves every client, so a hundred clients at once, a client that sends nothing, or one
 * that sends a line over 64 KiB each get an answer or are closed, and none of them can hold up
 * the others or the event loops (commands only read snapshots and counters, or hand work to the
 * loops through their task queues).
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    static final int MAX_LINE_BYTES = 64 * 1024;
    static final int MAX_CLIENTS = 256;
    /** A client that has not sent a complete request for this long is answered with an error and closed. */
    static final long IDLE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** How long a closing connection's input is discarded before it is closed regardless. */
    private static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long PENDING_POLL_MS = 50;

    private final Path path;
    private final long idleTimeoutNs;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final AdminCommands commands;
    private final Thread thread;
    private final List<Connection> connections = new ArrayList<>();
    // Waits whose client went away: a remove or a drain deadline still has to happen.
    private final List<Pending> orphans = new ArrayList<>();
    private volatile boolean running = true;

    /** Owned by the admin thread. One admin client. */
    private final class Connection {
        final SocketChannel channel;
        final SelectionKey key;
        final ByteBuffer in = ByteBuffer.allocate(MAX_LINE_BYTES + 1);
        ByteBuffer out;
        long lastRequestNs;
        boolean closeAfterWrite;
        // After a closing reply: output shut, input discarded until EOF or the deadline, so that
        // unread bytes do not turn the close into a reset that destroys the reply.
        long drainDeadlineNs;
        // A command answering over time; no other request is read until it is done.
        Pending pending;

        Connection(SocketChannel channel, SelectionKey key, long nowNs) {
            this.channel = channel;
            this.key = key;
            this.lastRequestNs = nowNs;
        }
    }

    private AdminServer(Path path, ServerSocketChannel server, Selector selector, AdminCommands commands,
                        long idleTimeoutNs) {
        this.path = path;
        this.idleTimeoutNs = idleTimeoutNs;
        this.server = server;
        this.selector = selector;
        this.commands = commands;
        this.thread = new Thread(this::run, "lb-admin");
        this.thread.setDaemon(true);
    }

    /**
     * Binds {@code path} (mode 0660, group {@code group} when given) and starts serving. A stale
     * socket file from a crashed daemon is replaced; one that a live daemon answers on is not.
     *
     * @throws IOException with a message fit for one line on stderr
     */
    public static AdminServer start(Path path, String group, AdminCommands commands) throws IOException {
        return start(path, group, commands, IDLE_TIMEOUT_NS);
    }

    /** As {@link #start(Path, String, AdminCommands)} with another idle timeout (tests). */
    static AdminServer start(Path path, String group, AdminCommands commands, long idleTimeoutNs) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("admin socket " + path + ": directory " + dir + " does not exist (create it, set "
                    + "[daemon] admin_socket, or admin_socket = \"\" for none)");
        }
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (answers(path)) {
                throw new IOException("admin socket " + path + " is in use: another lb-daemon is running (stop it, "
                        + "or give this one another admin_socket)");
            }
            int mode = (int) Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if ((mode & 0170000) != 0140000) {
                throw new IOException("admin socket " + path + " exists and is not a socket; not replacing it");
            }
            Files.delete(path); // stale: left by a daemon that did not exit cleanly
            LOG.info("replaced stale admin socket {}", path);
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = null;
        try {
            server.bind(UnixDomainSocketAddress.of(path), 64);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            if (group != null) {
                GroupPrincipal principal = path.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByGroupName(group);
                Files.setAttribute(path, "posix:group", principal, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            server.close();
            if (selector != null) {
                selector.close();
            }
            Files.deleteIfExists(path);
            throw new IOException("admin socket " + path + ": " + e.getMessage(), e);
        }
        AdminServer admin = new AdminServer(path, server, selector, commands, idleTimeoutNs);
        admin.thread.start();
        LOG.info("admin socket {}", path);
        return admin;
    }

    private static boolean answers(Path path) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    public Path path() {
        return path;
    }

    /** Admin thread only: open admin connections (tests). */
    int connections() {
        return connections.size();
    }

    private void run() {
        while (running) {
            try {
                long waitMs = Math.max(10, Math.min(500, TimeUnit.NANOSECONDS.toMillis(idleTimeoutNs) / 4));
                selector.select(this::onReady, anyPending() ? Math.min(waitMs, PENDING_POLL_MS) : waitMs);
                long nowNs = System.nanoTime();
                pollPending(nowNs);
                expireIdle(nowNs);
            } catch (IOException | RuntimeException e) {
                if (running) {
                    LOG.error("admin selector failed", e);
                }
            }
        }
        for (Connection c : new ArrayList<>(connections)) {
            close(c);
        }
        try {
            selector.close();
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.debug("closing the admin socket", e);
        }
    }

    private void onReady(SelectionKey key) {
        long nowNs = System.nanoTime();
        if (key.channel() == server) {
            accept(nowNs);
            return;
        }
        Connection c = (Connection) key.attachment();
        try {
            if (key.isWritable()) {
                flush(c);
            }
            if (key.isValid() && key.isReadable()) {
                read(c, nowNs);
            }
        } catch (IOException | RuntimeException e) {
            close(c);
        }
    }

    private void accept(long nowNs) {
        SocketChannel channel;
        try {
            channel = server.accept();
            if (channel == null) {
                return;
            }
            channel.configureBlocking(false);
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            Connection c = new Connection(channel, key, nowNs);
            key.attach(c);
            connections.add(c);
            if (connections.size() > MAX_CLIENTS) {
                reply(c, AdminCommands.error("too many admin clients (at most " + MAX_CLIENTS + ")"), true);
            }
        } catch (IOException e) {
            LOG.warn("admin accept failed: {}", e.toString());
        }
    }

    private void read(Connection c, long nowNs) throws IOException {
        if (c.drainDeadlineNs != 0) {
            c.in.clear();
            if (c.channel.read(c.in) < 0) {
                close(c);
            }
            return;
        }
        if (c.closeAfterWrite || c.out != null || c.pending != null) {
            // One request at a time: the next is read once the reply went out.
            c.key.interestOps(c.out != null ? SelectionKey.OP_WRITE : 0);
            return;
        }
        int n = c.channel.read(c.in);
        if (n < 0) {
            close(c);
            return;
        }
        int end = indexOf(c.in, (byte) '\n');
        if (end < 0) {
            if (!c.in.hasRemaining()) {
                reply(c, AdminCommands.error("request line longer than " + MAX_LINE_BYTES + " bytes"), true);
            }
            return;
        }
        String line = new String(c.in.array(), 0, end, StandardCharsets.UTF_8).strip();
        // Keep what followed the newline: the start of the next request.
        c.in.flip().position(end + 1);
        c.in.compact();
        c.lastRequestNs = nowNs;
        if (line.isEmpty()) {
            return;
        }
        Object answer = commands.handle(line);
        if (answer instanceof Pending p) {
            c.pending = p;
            poll(c, nowNs);
        } else {
            reply(c, (String) answer, false);
        }
    }

    private static int indexOf(ByteBuffer buffer, byte b) {
        byte[] array = buffer.array();
        for (int i = 0; i < buffer.position(); i++) {
            if (array[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private void reply(Connection c, String json, boolean thenClose) throws IOException {
        c.out = ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8));
        c.closeAfterWrite |= thenClose;
        flush(c);
    }

    private void flush(Connection c) throws IOException {
        if (c.out != null) {
            c.channel.write(c.out);
            if (!c.out.hasRemaining()) {
                c.out = null;
            }
        }
        if (c.out == null && c.closeAfterWrite) {
            if (c.drainDeadlineNs == 0) {
                c.channel.shutdownOutput();
                c.drainDeadlineNs = System.nanoTime() + DRAIN_NS;
                c.key.interestOps(SelectionKey.OP_READ);
            }
            return;
        }
        c.key.interestOps(c.out != null ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        if (c.out == null && indexOf(c.in, (byte) '\n') >= 0) {
            read(c, System.nanoTime()); // a pipelined request already waiting
        }
    }

    private boolean anyPending() {
        if (!orphans.isEmpty()) {
            return true;
        }
        for (Connection c : connections) {
            if (c.pending != null) {
                return true;
            }
        }
        return false;
    }

    private void pollPending(long nowNs) {
        orphans.removeIf(p -> p.poll(nowNs).done());
        for (Connection c : new ArrayList<>(connections)) {
            if (c.pending != null && c.out == null) { // a slow reader gets the next line when it took the last
                try {
                    poll(c, nowNs);
                } catch (IOException e) {
                    close(c);
                }
            }
        }
    }

    private void poll(Connection c, long nowNs) throws IOException {
        Pending.Step step = c.pending.poll(nowNs);
        if (step.done()) {
            c.pending = null;
            c.lastRequestNs = nowNs;
        }
        if (step.line() != null) {
            reply(c, step.line(), false);
        }
    }

    private void expireIdle(long nowNs) {
        for (Connection c : new ArrayList<>(connections)) {
            if (c.drainDeadlineNs != 0 && nowNs - c.drainDeadlineNs > 0) {
                close(c);
                continue;
            }
            if (c.out == null && !c.closeAfterWrite && c.pending == null && nowNs - c.lastRequestNs > idleTimeoutNs) {
                try {
                    reply(c, AdminCommands.error("no request within " + TimeUnit.NANOSECONDS.toMillis(idleTimeoutNs)
                            + " ms; closing"), true);
                } catch (IOException e) {
                    close(c);
                }
            }
        }
    }

    private void close(Connection c) {
        connections.remove(c);
        if (c.pending != null && running) {
            orphans.add(c.pending); // finishes without anyone to tell
            c.pending = null;
        }
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // closing an admin client: nothing left to do
        }
    }

    /** Any thread: stops serving, closes every admin connection and removes the socket file. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
