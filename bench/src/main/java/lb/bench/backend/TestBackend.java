package lb.bench.backend;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Any thread may call the public methods; one selector thread of its own does all the I/O. A test
 * backend of one {@link BackendType} listening on one or more ports. Connections cost an object
 * and a selection key each; reads and writes go through two direct buffers owned by the selector
 * thread, so thousands of connections and millions of reads allocate nothing more.
 */
public final class TestBackend implements AutoCloseable {

    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int BACKLOG = 4096;

    private final BackendType type;
    private final List<ServerSocketChannel> servers;
    private final List<InetSocketAddress> addresses;
    private final Selector selector;
    private final Thread thread;
    private final BackendStats stats = new BackendStats();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER_SIZE);
    private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER_SIZE);
    private final Consumer<SelectionKey> onKey = this::onKey; // one instance, not one per select
    private volatile boolean closing;
    private volatile boolean aborting; // set before closing: reset connections instead of closing them

    private TestBackend(BackendType type, List<ServerSocketChannel> servers, Selector selector) throws IOException {
        this.type = type;
        this.servers = servers;
        this.selector = selector;
        List<InetSocketAddress> bound = new ArrayList<>();
        for (ServerSocketChannel server : servers) {
            bound.add((InetSocketAddress) server.getLocalAddress());
        }
        this.addresses = List.copyOf(bound);
        this.thread = new Thread(this::run, type.cliName() + "-backend");
        this.thread.setDaemon(true);
    }

    /**
     * Binds every port (0 = ephemeral) on {@code bind} and starts serving; on failure nothing is left
     * open. A tls-echo backend is named {@value TlsEcho#DEFAULT_NAME} and announces nothing.
     */
    public static TestBackend start(BackendType type, InetAddress bind, List<Integer> ports) throws IOException {
        TlsEcho tls = null;
        if (type == BackendType.TLS_ECHO) {
            try {
                tls = TlsEcho.selfSigned(TlsEcho.DEFAULT_NAME, false);
            } catch (GeneralSecurityException e) {
                throw new IOException("no certificate for the tls-echo backend: " + e.getMessage(), e);
            }
        }
        return start(type, bind, ports, tls);
    }

    /** As {@link #start(BackendType, InetAddress, List)}; {@code tls}: what a tls-echo backend presents (else null). */
    public static TestBackend start(BackendType type, InetAddress bind, List<Integer> ports, TlsEcho tls)
            throws IOException {
        if ((type == BackendType.TLS_ECHO) != (tls != null)) {
            throw new IllegalArgumentException("a tls-echo backend, and only one, needs its TLS settings");
        }
        List<ServerSocketChannel> servers = new ArrayList<>();
        Selector selector = Selector.open();
        try {
            for (int port : ports) {
                ServerSocketChannel server = ServerSocketChannel.open();
                servers.add(server);
                server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                server.bind(new InetSocketAddress(bind, port), BACKLOG);
                server.configureBlocking(false);
                InetSocketAddress local = (InetSocketAddress) server.getLocalAddress();
                Object perServer = switch (type) {
                    case HTTP -> new HttpResponses(local);
                    case TLS_ECHO -> tls;
                    default -> null;
                };
                server.register(selector, SelectionKey.OP_ACCEPT, perServer);
            }
            TestBackend backend = new TestBackend(type, servers, selector);
            backend.thread.start();
            return backend;
        } catch (IOException | RuntimeException e) {
            for (ServerSocketChannel server : servers) {
                server.close();
            }
            selector.close();
            throw e;
        }
    }

    public BackendType type() {
        return type;
    }

    /** The bound addresses, in the order the ports were given. */
    public List<InetSocketAddress> addresses() {
        return addresses;
    }

    public BackendStats stats() {
        return stats;
    }

    /** Waits until the backend has stopped or {@code timeoutNs} passed; true if stopped. */
    public boolean awaitStop(long timeoutNs) throws InterruptedException {
        return stopped.await(timeoutNs, TimeUnit.NANOSECONDS);
    }

    private void run() {
        try {
            while (!closing) {
                selector.select(onKey, 1000);
            }
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                System.err.println(type.cliName() + " backend stopped: " + e);
            }
        } finally {
            for (SelectionKey key : selector.keys()) {
                if (aborting && key.channel() instanceof SocketChannel channel) {
                    resetOnClose(channel);
                }
                closeQuietly(key);
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // stopping anyway
            }
            stopped.countDown();
        }
    }

    private void onKey(SelectionKey key) {
        try {
            if (key.isAcceptable()) {
                accept(key);
            } else if (!((BackendConnection) key.attachment()).onReady(in, out)) {
                close(key);
            }
        } catch (IOException | RuntimeException e) {
            // A reset or a bad client ends that connection only; the backend goes on.
            if (key.attachment() instanceof BackendConnection) {
                close(key);
            }
        }
    }

    private void accept(SelectionKey serverKey) throws IOException {
        ServerSocketChannel server = (ServerSocketChannel) serverKey.channel();
        SocketChannel channel;
        for (int i = 0; i < BackendConnection.SPINS_PER_EVENT && (channel = server.accept()) != null; i++) {
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                BackendConnection connection = switch (type) {
                    case ECHO -> new EchoConnection(channel, stats);
                    case SINK -> new SinkConnection(channel, stats);
                    case SOURCE -> new SourceConnection(channel, stats);
                    case HTTP -> new HttpConnection(channel, stats, (HttpResponses) serverKey.attachment());
                    case TLS_ECHO -> new TlsEchoConnection(channel, stats, (TlsEcho) serverKey.attachment());
                };
                connection.key = channel.register(selector, connection.initialInterest(), connection);
                stats.addAccepted();
            } catch (IOException e) {
                channel.close(); // reset before we got to it
            }
        }
    }

    private void close(SelectionKey key) {
        stats.addClosed();
        closeQuietly(key);
    }

    private static void resetOnClose(SocketChannel channel) {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0); // close() then sends RST, not FIN
        } catch (IOException ignored) {
            // already broken: closing it is all that is left
        }
    }

    private static void closeQuietly(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // nothing more to do with it
        }
    }

    /** Stops listening and closes every connection; returns once the selector thread has ended. */
    @Override
    public void close() {
        closing = true;
        selector.wakeup();
        try {
            if (Thread.currentThread() != thread) {
                thread.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ServerSocketChannel server : servers) {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /**
     * As a crashed backend: stops listening (new connects are refused) and resets every open
     * connection; returns once the selector thread has ended.
     */
    public void abort() {
        aborting = true;
        close();
    }

    @Override
    public String toString() {
        return type.cliName() + " backend on " + addresses;
    }
}
