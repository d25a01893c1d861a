package lb.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Any thread. A backend on 127.0.0.1 that runs a test-supplied script on each accepted connection,
 * one thread per connection. The socket is closed when the script returns (or at {@link #close()}).
 * Scripts that must hold a connection open call {@link #awaitClose()}. Script failures are kept
 * for the test to assert on.
 */
public final class ScriptedBackend implements AutoCloseable {

    /** What the backend does with one connection. */
    @FunctionalInterface
    public interface Script {
        /** Runs on the connection's own thread; {@code backend} is this backend (for {@link #awaitClose()}). */
        void run(Socket socket, ScriptedBackend backend) throws Exception;
    }

    private static final int SCRIPT_READ_TIMEOUT_MS = 20_000;

    private final String name;
    private final ServerSocket server;
    private final Script script;
    private final Thread acceptor;
    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final CountDownLatch closing = new CountDownLatch(1);

    private ScriptedBackend(String name, ServerSocket server, Script script) {
        this.name = name;
        this.server = server;
        this.script = script;
        this.acceptor = new Thread(this::acceptLoop, "backend-" + name);
        this.acceptor.setDaemon(true);
    }

    public static ScriptedBackend start(String name, Script script) throws IOException {
        return start(name, 0, script);
    }

    /**
     * @param receiveBuffer SO_RCVBUF for accepted sockets (set before bind so the handshake uses
     *                      it), or 0 for the kernel's default
     */
    public static ScriptedBackend start(String name, int receiveBuffer, Script script) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            if (receiveBuffer > 0) {
                server.setReceiveBufferSize(receiveBuffer);
            }
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        ScriptedBackend backend = new ScriptedBackend(name, server, script);
        backend.acceptor.start();
        return backend;
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    public int accepted() {
        return accepted.get();
    }

    /** Exceptions thrown by scripts so far. */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    /** For scripts: blocks until the backend is closed (holds the connection open, silently). */
    public void awaitClose() throws InterruptedException {
        closing.await();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            sockets.add(socket);
            Thread thread = new Thread(() -> serve(socket), "backend-" + name + "-" + accepted.get());
            thread.setDaemon(true);
            synchronized (threads) {
                threads.add(thread);
            }
            thread.start();
        }
    }

    private void serve(Socket socket) {
        try {
            socket.setSoTimeout(SCRIPT_READ_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            script.run(socket, this);
        } catch (Exception | AssertionError e) {
            if (closing.getCount() > 0) {
                failures.add(e);
            }
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    /** Stops accepting, closes every connection and waits (bounded) for the script threads. */
    @Override
    public void close() {
        closing.countDown();
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
        List<Thread> all;
        synchronized (threads) {
            all = new ArrayList<>(threads);
        }
        all.add(acceptor);
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Thread thread : all) {
            long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
            try {
                thread.join(leftMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "scripted backend " + name + " on " + address();
    }
}
