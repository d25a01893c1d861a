package lb.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Any thread may call {@link #address()}, {@link #name()} and {@link #close()}; connections are
 * served on the backend's own threads. A tiny loopback TCP responder for {@code lb-daemon --demo},
 * so a newcomer sees which backend answered with curl or nc.
 *
 * <p>Per connection: an HTTP/1.x request gets {@code 200 OK} with {@code hello from <name>
 * (<ip>:<port>)} and the connection closes; anything else is answered line by line with the line
 * prefixed by the backend's name, until EOF. This is not the data path, so it uses blocking
 * sockets, one thread per connection, and is bounded instead of fast: at most
 * {@value #MAX_CONNECTIONS} connections (more are closed at once), fixed-size line buffers, and
 * deadlines on every read. It logs nothing per request.
 */
public final class DemoBackend implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DemoBackend.class);

    static final int MAX_CONNECTIONS = 64;
    static final int MAX_LINE_BYTES = 8 * 1024;
    static final int MAX_HEADER_LINES = 64;
    static final int MAX_HEADER_BYTES = 8 * 1024;
    static final long FIRST_LINE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    // A person typing into nc pauses to think; the connection cap, not this timeout, bounds the cost.
    static final long ECHO_LINE_TIMEOUT_NS = TimeUnit.MINUTES.toNanos(5);
    // After answering HTTP, read what the client still sends (a request body) before closing:
    // closing with unread input sends RST, which can destroy the response before curl reads it.
    private static final long LINGER_NS = TimeUnit.SECONDS.toNanos(2);
    private static final int LINGER_MAX_BYTES = 64 * 1024;
    private static final long CLOSE_JOIN_MS = 5_000;
    private static final long IDLE_THREAD_KEEP_ALIVE_S = 30;
    private static final long HAND_OFF_WAIT_MS = 1_000;
    private static final long ACCEPT_ERROR_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(100);

    // METHOD SP request-target SP HTTP/1.x; the method is an RFC 9110 token.
    private static final Pattern HTTP_REQUEST_LINE =
            Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+ \\S+ HTTP/1\\.[0-9]");

    private final String name;
    private final ServerSocket server;
    private final InetSocketAddress address;
    private final byte[] echoPrefix;
    private final byte[] httpResponseHead;
    private final byte[] httpResponseBody;
    private final Thread acceptor;
    private final ThreadPoolExecutor workers;
    // Added only by the acceptor, removed by each connection's thread when it ends; close() closes
    // what is left so blocked reads return at once.
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final NamedDaemonThreads connectionThreads;
    private final long firstLineTimeoutNs;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DemoBackend(String name, ServerSocket server, long firstLineTimeoutNs) {
        this.name = name;
        this.firstLineTimeoutNs = firstLineTimeoutNs;
        this.server = server;
        this.address = new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
        String label = name + " (" + hostPort(address) + ")";
        this.echoPrefix = (label + ": ").getBytes(StandardCharsets.UTF_8);
        this.httpResponseBody = ("hello from " + label + "\n").getBytes(StandardCharsets.UTF_8);
        this.httpResponseHead = ("HTTP/1.1 200 OK\r\n"
                + "Content-Type: text/plain\r\n"
                + "Content-Length: " + httpResponseBody.length + "\r\n"
                + "Connection: close\r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
        // Direct hand-off: an idle thread takes the connection, else a new one starts (idle ones
        // die after a while), never more than MAX_CONNECTIONS.
        this.connectionThreads = new NamedDaemonThreads("demo-" + name + "-conn-");
        this.workers = new ThreadPoolExecutor(0, MAX_CONNECTIONS, IDLE_THREAD_KEEP_ALIVE_S, TimeUnit.SECONDS,
                new SynchronousQueue<>(), connectionThreads, DemoBackend::waitForFreeThread);
        this.acceptor = new Thread(this::acceptLoop, "demo-" + name + "-accept");
        this.acceptor.setDaemon(true);
    }

    /**
     * Binds and starts serving.
     *
     * @param name shown in every answer and in thread names
     * @param bind where to listen; port 0 picks a free port, see {@link #address()}
     */
    public static DemoBackend start(String name, InetSocketAddress bind) throws IOException {
        return start(name, bind, FIRST_LINE_TIMEOUT_NS);
    }

    /** As {@link #start(String, InetSocketAddress)}, with a short first-line timeout a test can wait out. */
    static DemoBackend startForTest(String name, InetSocketAddress bind, long firstLineTimeoutNs) throws IOException {
        return start(name, bind, firstLineTimeoutNs);
    }

    private static DemoBackend start(String name, InetSocketAddress bind, long firstLineTimeoutNs) throws IOException {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("demo backend name must not be blank");
        }
        ServerSocket server = new ServerSocket();
        try {
            // Our own closes leave TIME_WAIT entries on this port; without this a restart could not rebind it.
            server.setReuseAddress(true);
            server.bind(bind, MAX_CONNECTIONS);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        DemoBackend backend = new DemoBackend(name, server, firstLineTimeoutNs);
        backend.acceptor.start();
        return backend;
    }

    public String name() {
        return name;
    }

    /** The bound address, with the real port when started on port 0. */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * Closes the listener and every open connection and waits (up to a few seconds) for the
     * backend's threads to end. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(server);
        boolean interrupted = false;
        try {
            // Join the acceptor first: after that nothing adds to the open set, so none escapes the sweep.
            acceptor.join(CLOSE_JOIN_MS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        workers.shutdownNow();
        try {
            // The pool reports termination just before its threads return; join them so that
            // "closed" really means no thread of ours is left.
            long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_JOIN_MS);
            for (Thread thread : connectionThreads.created()) {
                long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
                thread.join(Math.max(1, remainingMs));
                if (thread.isAlive()) {
                    LOG.warn("demo backend {}: thread {} still running after {} ms", name, thread.getName(), CLOSE_JOIN_MS);
                }
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "DemoBackend[" + name + " " + hostPort(address) + ", " + open.size() + " open]";
    }

    private void acceptLoop() {
        boolean lastAcceptFailed = false;
        while (!closed.get()) {
            Socket socket;
            try {
                socket = server.accept();
                lastAcceptFailed = false;
            } catch (IOException e) {
                if (closed.get()) {
                    return;
                }
                // EMFILE and friends: say so once per outage, and back off instead of spinning.
                if (!lastAcceptFailed) {
                    LOG.warn("demo backend {}: accept failed: {}", name, e.toString());
                    lastAcceptFailed = true;
                }
                LockSupport.parkNanos(ACCEPT_ERROR_BACKOFF_NS);
                continue;
            }
            admit(socket);
        }
    }

    private void admit(Socket socket) {
        // Only this thread adds, so the size cannot grow between the check and the add.
        if (open.size() >= MAX_CONNECTIONS || closed.get()) {
            closeQuietly(socket);
            return;
        }
        open.add(socket);
        try {
            workers.execute(() -> serve(socket));
        } catch (RejectedExecutionException e) {
            open.remove(socket);
            closeQuietly(socket);
        }
    }

    /**
     * Acceptor thread. All MAX_CONNECTIONS threads exist but one has just finished its connection
     * and is not yet waiting for the next: the admission cap guarantees it is on its way, so wait
     * for it rather than turn the client away.
     */
    private static void waitForFreeThread(Runnable task, ThreadPoolExecutor pool) {
        if (pool.isShutdown()) {
            throw new RejectedExecutionException("demo backend closed");
        }
        try {
            if (!pool.getQueue().offer(task, HAND_OFF_WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw new RejectedExecutionException("no connection thread came free");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException("interrupted", e);
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            LineReader reader = new LineReader(socket, MAX_LINE_BYTES);
            byte[] first = reader.readLine(System.nanoTime() + firstLineTimeoutNs);
            if (first == null) {
                return;
            }
            OutputStream out = socket.getOutputStream();
            if (isHttpRequestLine(first)) {
                answerHttp(socket, reader, out, first);
            } else {
                echoLines(reader, out, first);
            }
        } catch (IOException e) {
            // Timeouts, over-long lines, resets and close() all end here: the connection is simply
            // closed, and a demo backend does not log per connection.
        } finally {
            open.remove(socket);
        }
    }

    private void answerHttp(Socket socket, LineReader reader, OutputStream out, byte[] requestLine)
            throws IOException {
        long deadlineNs = System.nanoTime() + firstLineTimeoutNs;
        int headerLines = 0;
        int headerBytes = 0;
        while (true) {
            byte[] line = reader.readLine(deadlineNs);
            if (line == null) {
                return; // EOF inside the head: nobody left to answer.
            }
            if (line.length == 0) {
                break;
            }
            headerLines++;
            headerBytes += line.length + 2;
            if (headerLines > MAX_HEADER_LINES || headerBytes > MAX_HEADER_BYTES) {
                return;
            }
        }
        out.write(httpResponseHead);
        if (!startsWith(requestLine, "HEAD ")) {
            out.write(httpResponseBody);
        }
        out.flush();
        socket.shutdownOutput();
        drainBeforeClose(socket);
    }

    private void drainBeforeClose(Socket socket) throws IOException {
        long deadlineNs = System.nanoTime() + LINGER_NS;
        InputStream in = socket.getInputStream();
        byte[] scratch = new byte[4096];
        int drained = 0;
        while (drained < LINGER_MAX_BYTES) {
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
            if (remainingMs <= 0) {
                return;
            }
            socket.setSoTimeout((int) remainingMs);
            int n = in.read(scratch);
            if (n < 0) {
                return;
            }
            drained += n;
        }
    }

    private void echoLines(LineReader reader, OutputStream out, byte[] firstLine) throws IOException {
        byte[] line = firstLine;
        while (line != null) {
            out.write(echoPrefix);
            out.write(line);
            out.write('\n');
            out.flush();
            line = reader.readLine(System.nanoTime() + ECHO_LINE_TIMEOUT_NS);
        }
    }

    static boolean isHttpRequestLine(byte[] line) {
        return HTTP_REQUEST_LINE.matcher(new String(line, StandardCharsets.ISO_8859_1)).matches();
    }

    private static boolean startsWith(byte[] line, String prefix) {
        if (line.length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (line[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String hostPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return address.getAddress() instanceof Inet6Address
                ? "[" + host + "]:" + address.getPort()
                : host + ":" + address.getPort();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Nothing useful to do: we are tearing down anyway.
        }
    }

    /**
     * Any thread. Names connection threads {@code demo-<name>-conn-<n>}, makes them daemons, and
     * remembers the live ones so close() can join them.
     */
    private static final class NamedDaemonThreads implements ThreadFactory {
        private final String prefix;
        private final AtomicInteger next = new AtomicInteger(1);
        // Pruned of dead threads on every creation: never more than the pool's maximum plus the
        // few that are just exiting.
        private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

        NamedDaemonThreads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable task) {
            threads.removeIf(t -> t.getState() == Thread.State.TERMINATED);
            Thread thread = new Thread(task, prefix + next.getAndIncrement());
            thread.setDaemon(true);
            threads.add(thread);
            return thread;
        }

        Set<Thread> created() {
            return threads;
        }
    }
}
