package lb.admin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.control.Caller;
import lb.control.ControlPlane;
import lb.control.Exchange;
import lb.log.InjectedFault;
import lb.log.RateLimitedLog;
import lb.protocol.Envelope;
import lb.protocol.ErrorCode;
import lb.protocol.Limits;
import lb.protocol.RefusedException;
import lb.protocol.Reply;
import lb.protocol.Request;

/**
 * Owns the {@code lb-admin} thread, its Selector, the admin Unix socket and every admin
 * connection. The protocol is one JSON object per line each way (DESIGN.md). The thread does socket
 * I/O only: a complete request line is parsed and handed to the {@link ControlPlane}, whose threads
 * answer through the connection's {@link Exchange}; their lines come back through a queue and a
 * selector wake-up. So a hundred clients at once, a client that sends nothing or a line over
 * 64 KiB, or a reload that takes a minute, hold up neither the other clients nor the event loops.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    static final int MAX_LINE_BYTES = Limits.MAX_LINE_BYTES;
    static final int MAX_CLIENTS = 256;
    /** An admin connection's first input buffer; requests are small (lb-cli's are under 200 bytes). */
    static final int INITIAL_IN_BYTES = 512;
    /** After a failed accept (out of descriptors, say), accepting pauses this long instead of spinning. */
    static final long ACCEPT_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** A client that has not sent a complete request for this long is answered with an error and closed. */
    static final long IDLE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** How long a closing connection's input is discarded before it is closed regardless. */
    private static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(2);

    // Moved once by an upgrade's new process (from its temporary path over the old process's).
    private volatile Path path;
    // The socket file's identity (inode): removed at close only while the path is still this one's.
    private volatile Object fileKey;
    private final long idleTimeoutNs;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final ControlPlane control;
    private final Thread thread;
    private final List<Connection> connections = new ArrayList<>();
    // Lines the control plane's threads answered with, for the admin thread to send.
    private final Queue<Outgoing> outbox = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private final SelectionKey serverKey;
    private final RateLimitedLog acceptFailures = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private long acceptPausedUntilNs; // admin thread only; 0 while accepting
    private final RateLimitedLog passFailures = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));

    static {
        // Loaded at start, not when first needed: out of descriptors, a class load may fail.
        ErrorCode.values();
        Envelope.class.getName();
    }

    /** A line for a connection; {@code last}: the request's final reply. */
    private record Outgoing(Connection connection, String line, boolean last) {
    }

    /**
     * The admin thread owns the I/O fields; the control plane's threads call the {@link Exchange}
     * methods, which only queue lines or read the volatile {@code gone}.
     */
    private final class Connection implements Exchange {
        final SocketChannel channel;
        final SelectionKey key;
        final String user;
        // Grows from INITIAL_IN_BYTES up to one line's limit as a request needs it, so that thousands
        // of connections (most refused at the client limit) cost little heap.
        ByteBuffer in = ByteBuffer.allocate(INITIAL_IN_BYTES);
        final Queue<ByteBuffer> out = new ArrayDeque<>();
        long lastRequestNs;
        boolean closeAfterWrite;
        // After a closing reply: output shut, input discarded until EOF or the deadline, so that
        // unread bytes do not turn the close into a reset that destroys the reply.
        long drainDeadlineNs;
        // A request is with the control plane: no other is read until its final reply went out.
        boolean busy;
        boolean takingRequests;
        volatile Caller caller;
        volatile boolean gone;
        private final List<Runnable> whenGone = new ArrayList<>(1); // guarded by this

        Connection(SocketChannel channel, SelectionKey key, String user, long nowNs) {
            this.channel = channel;
            this.key = key;
            this.user = user;
            this.lastRequestNs = nowNs;
        }

        @Override
        public Caller caller() {
            return caller;
        }

        @Override
        public void progress(Reply.Progress progress) {
            if (!gone) {
                post(this, Envelope.progress(progress), false);
            }
        }

        @Override
        public void reply(Reply reply) {
            post(this, Envelope.ok(reply), true);
        }

        @Override
        public void refuse(ErrorCode code, String message) {
            post(this, Envelope.error(code, message), true);
        }

        @Override
        public boolean isOpen() {
            return !gone;
        }

        @Override
        public void whenGone(Runnable action) {
            synchronized (this) {
                if (!gone) {
                    whenGone.add(action);
                    return;
                }
            }
            action.run();
        }

        /** Admin thread: the client went away (or was closed); waits it started learn of it. */
        void markGone() {
            List<Runnable> actions;
            synchronized (this) {
                gone = true;
                actions = new ArrayList<>(whenGone);
                whenGone.clear();
            }
            for (Runnable action : actions) {
                action.run();
            }
        }
    }

    private AdminServer(Path path, ServerSocketChannel server, Selector selector, ControlPlane control,
                        long idleTimeoutNs) {
        this.path = path;
        this.fileKey = fileKey(path);
        this.idleTimeoutNs = idleTimeoutNs;
        this.server = server;
        this.selector = selector;
        this.serverKey = server.keyFor(selector);
        this.control = control;
        this.thread = new Thread(this::run, "lb-admin");
        this.thread.setDaemon(true);
    }

    /**
     * Binds {@code path} (mode 0660, group {@code group} when given; see {@link AdminSocket}) and
     * starts serving.
     *
     * @throws IOException with a message fit for one line on stderr
     */
    public static AdminServer start(Path path, String group, ControlPlane control) throws IOException {
        return start(path, group, control, IDLE_TIMEOUT_NS);
    }

    /** As {@link #start(Path, String, ControlPlane)} with another idle timeout (tests). */
    static AdminServer start(Path path, String group, ControlPlane control, long idleTimeoutNs) throws IOException {
        ServerSocketChannel server = AdminSocket.bind(path, group);
        Selector selector = null;
        try {
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
        AdminServer admin = new AdminServer(path, server, selector, control, idleTimeoutNs);
        admin.thread.start();
        LOG.info("admin socket {}", path);
        return admin;
    }

    public Path path() {
        return path;
    }

    /**
     * Any thread (an upgrade's new process, once ready): renames the socket file over {@code to},
     * atomically, so that a client connecting to {@code to} reaches the old process until this
     * instant and this one from it, never neither.
     */
    public void moveTo(Path to) throws IOException {
        Files.move(path, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        path = to;
        LOG.info("admin socket {}", to);
    }

    private static Object fileKey(Path path) {
        try {
            return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** Any thread: queues a line for {@code c} and wakes the admin thread. */
    private void post(Connection c, String line, boolean last) {
        outbox.add(new Outgoing(c, line, last));
        selector.wakeup();
    }

    private void run() {
        while (running) {
            InjectedFault.check(); // outside the pass's catch: a dying admin thread ends the process
            try {
                long waitMs = Math.max(10, Math.min(acceptPausedUntilNs != 0 ? 50 : 500,
                        TimeUnit.NANOSECONDS.toMillis(idleTimeoutNs) / 4));
                selector.select(this::onReady, waitMs);
                long nowNs = System.nanoTime();
                sendAnswers(nowNs);
                expireIdle(nowNs);
                resumeAccepting(nowNs);
            } catch (IOException | RuntimeException | LinkageError e) {
                // One bad pass (a class that cannot load while the host is out of descriptors, say)
                // must not end the admin thread for the life of the process.
                if (running) {
                    passFailures.error(System.nanoTime(), "admin selector pass failed", e);
                }
            }
        }
        for (Connection c : new ArrayList<>(connections)) {
            close(c);
        }
        try {
            selector.close();
            server.close();
            Object key = fileKey;
            // After an upgrade the path is the new process's socket: not ours to remove.
            if (key != null && key.equals(fileKey(path))) {
                Files.deleteIfExists(path);
            }
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
            Connection c = new Connection(channel, key, PeerCredentials.user(channel), nowNs);
            key.attach(c);
            connections.add(c);
            if (connections.size() > MAX_CLIENTS) {
                reply(c, Envelope.error(ErrorCode.LIMIT, "too many admin clients (at most " + MAX_CLIENTS + ")"), true);
            }
        } catch (IOException e) {
            // Out of descriptors (EMFILE) keeps failing until some are freed: pause accepting rather
            // than spin on a listening socket that stays readable, and log once per interval.
            acceptFailures.warn(nowNs, "admin accept failed: " + e + "; pausing accepts for "
                    + TimeUnit.NANOSECONDS.toMillis(ACCEPT_BACKOFF_NS) + " ms");
            serverKey.interestOps(0);
            acceptPausedUntilNs = nowNs + ACCEPT_BACKOFF_NS;
        }
    }

    /** Admin thread: accepting again once a back-off is over. */
    private void resumeAccepting(long nowNs) {
        if (acceptPausedUntilNs != 0 && nowNs - acceptPausedUntilNs >= 0) {
            acceptPausedUntilNs = 0;
            serverKey.interestOps(SelectionKey.OP_ACCEPT);
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
        if (c.closeAfterWrite || !c.out.isEmpty() || c.busy) {
            // One request at a time: the next is read once the reply went out. A client that closes
            // meanwhile is noticed by its next read: a busy connection keeps OP_READ for that.
            if (c.busy && c.out.isEmpty()) {
                if (!roomToRead(c)) {
                    c.key.interestOps(0); // pipelined requests fill the buffer: wait for the reply
                } else if (c.channel.read(c.in) < 0) {
                    close(c);
                }
                return;
            }
            c.key.interestOps(!c.out.isEmpty() ? SelectionKey.OP_WRITE : 0);
            return;
        }
        if (!roomToRead(c)) {
            takeRequests(c, nowNs); // a full line's worth without a newline: refused there
            return;
        }
        int n = c.channel.read(c.in);
        if (n < 0) {
            close(c);
            return;
        }
        takeRequests(c, nowNs);
    }

    /**
     * Admin thread: hands complete lines in {@code c}'s input to the control plane, one request at a
     * time. A loop, not recursion through {@link #flush}: a client that pipelines thousands of bad
     * lines gets thousands of error replies, not a stack overflow.
     */
    private void takeRequests(Connection c, long nowNs) throws IOException {
        if (c.takingRequests) {
            return; // flush called back into here: the loop below goes on
        }
        c.takingRequests = true;
        try {
            while (!c.busy && c.out.isEmpty() && !c.closeAfterWrite && c.channel.isOpen()) {
                int end = indexOf(c.in, (byte) '\n');
                if (end < 0) {
                    if (!c.in.hasRemaining() && c.in.capacity() > MAX_LINE_BYTES) {
                        reply(c, Envelope.error(ErrorCode.LIMIT, "request line longer than " + MAX_LINE_BYTES
                                + " bytes"), true);
                    }
                    return;
                }
                String line = new String(c.in.array(), 0, end, StandardCharsets.UTF_8).strip();
                // Keep what followed the newline: the start of the next request.
                c.in.flip().position(end + 1);
                c.in.compact();
                if (line.isEmpty()) {
                    continue; // not a request: it does not keep the connection from idling out
                }
                c.lastRequestNs = nowNs;
                Request.Line request;
                try {
                    request = Request.parseLine(line);
                } catch (RefusedException e) {
                    reply(c, Envelope.error(e), false);
                    continue;
                }
                c.caller = PeerCredentials.caller(c.user, request.clientPid());
                c.busy = true;
                control.dispatch(request.request(), c);
            }
        } finally {
            c.takingRequests = false;
        }
    }

    /** Admin thread: room for more input, up to one line's limit; false when {@code c}'s input is at it. */
    private static boolean roomToRead(Connection c) {
        if (c.in.hasRemaining()) {
            return true;
        }
        if (c.in.capacity() > MAX_LINE_BYTES) {
            return false;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.min(c.in.capacity() * 2, MAX_LINE_BYTES + 1));
        c.in.flip();
        bigger.put(c.in);
        c.in = bigger;
        return true;
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

    /** Admin thread: moves the control plane's answers to their connections. */
    private void sendAnswers(long nowNs) {
        for (Outgoing o; (o = outbox.poll()) != null; ) {
            Connection c = o.connection();
            if (!c.channel.isOpen()) {
                continue; // the client went away: its answer has nowhere to go
            }
            try {
                if (o.last()) {
                    c.busy = false;
                    c.lastRequestNs = nowNs;
                }
                reply(c, o.line(), false);
            } catch (IOException e) {
                close(c);
            }
        }
    }

    private void reply(Connection c, String json, boolean thenClose) throws IOException {
        c.out.add(ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8)));
        c.closeAfterWrite |= thenClose;
        flush(c);
    }

    private void flush(Connection c) throws IOException {
        for (ByteBuffer head; (head = c.out.peek()) != null; c.out.poll()) {
            c.channel.write(head);
            if (head.hasRemaining()) {
                break;
            }
        }
        if (c.out.isEmpty() && c.closeAfterWrite) {
            if (c.drainDeadlineNs == 0) {
                c.channel.shutdownOutput();
                c.drainDeadlineNs = System.nanoTime() + DRAIN_NS;
                c.key.interestOps(SelectionKey.OP_READ);
            }
            return;
        }
        c.key.interestOps(!c.out.isEmpty() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        if (c.out.isEmpty() && !c.busy && indexOf(c.in, (byte) '\n') >= 0) {
            takeRequests(c, System.nanoTime()); // a pipelined request already waiting
        }
    }

    private void expireIdle(long nowNs) {
        for (Connection c : new ArrayList<>(connections)) {
            if (c.drainDeadlineNs != 0 && nowNs - c.drainDeadlineNs > 0) {
                close(c);
                continue;
            }
            if (c.out.isEmpty() && !c.closeAfterWrite && !c.busy && nowNs - c.lastRequestNs > idleTimeoutNs) {
                try {
                    reply(c, Envelope.error(ErrorCode.LIMIT, "no request within "
                            + TimeUnit.NANOSECONDS.toMillis(idleTimeoutNs) + " ms; closing"), true);
                } catch (IOException e) {
                    close(c);
                }
            }
        }
    }

    private void close(Connection c) {
        connections.remove(c);
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // closing an admin client: nothing left to do
        }
        c.markGone(); // a command still running for it stops spending on progress; one with work left finishes
    }

    /** Admin thread only: open admin connections (tests). */
    int connections() {
        return connections.size();
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
