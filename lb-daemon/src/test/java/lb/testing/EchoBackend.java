package lb.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Any thread may call the public methods; one own thread does the I/O. A TCP echo server on
 * 127.0.0.1: echoes every byte, and when the client half-closes it flushes what it owes and
 * half-closes back, then closes. Back-pressure as a proxy would: it stops reading a connection
 * while that connection's unsent echo fills its buffer. Heap buffers only, so it adds nothing to
 * the JVM's direct memory beyond the JDK's small per-thread cache.
 */
public final class EchoBackend implements AutoCloseable {

    private static final int BUFFER_SIZE = 64 * 1024;

    private final String name;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong echoedBytes = new AtomicLong();
    private volatile boolean closed;

    private EchoBackend(String name, ServerSocketChannel server, Selector selector) {
        this.name = name;
        this.server = server;
        this.selector = selector;
        this.thread = new Thread(this::run, "echo-" + name);
        this.thread.setDaemon(true);
    }

    /** On an ephemeral port. */
    public static EchoBackend start(String name) throws IOException {
        return start(name, 0);
    }

    /** On {@code port} (0 = ephemeral), with SO_REUSEADDR so a port just closed can be taken again. */
    public static EchoBackend start(String name, int port) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        Selector selector = null;
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            server.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
        EchoBackend backend = new EchoBackend(name, server, selector);
        backend.thread.start();
        return backend;
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.socket().getLocalPort());
    }

    /** Connections accepted since start. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    public long echoedBytes() {
        return echoedBytes.get();
    }

    /** State of one accepted connection. */
    private static final class Connection {
        final SocketChannel channel;
        final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE); // write mode: [0, position) is owed
        boolean inputEnded;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private void run() {
        try {
            while (!closed) {
                selector.select(key -> {
                    try {
                        if (key.isAcceptable()) {
                            accept();
                        } else {
                            serve(key);
                        }
                    } catch (IOException | RuntimeException e) {
                        drop(key);
                    }
                }, 100);
            }
        } catch (IOException | RuntimeException e) {
            // the selector was closed under us: we are stopping
        } finally {
            for (SelectionKey key : selector.keys()) {
                closeQuietly(key);
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // stopping anyway
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            accepted.incrementAndGet();
            open.incrementAndGet();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.register(selector, SelectionKey.OP_READ, new Connection(channel));
        }
    }

    private void serve(SelectionKey key) throws IOException {
        Connection c = (Connection) key.attachment();
        if (key.isReadable() && c.buffer.hasRemaining()) {
            int n = c.channel.read(c.buffer);
            if (n < 0) {
                c.inputEnded = true;
            }
        }
        if (c.buffer.position() > 0) {
            c.buffer.flip();
            int written = c.channel.write(c.buffer);
            echoedBytes.addAndGet(written);
            c.buffer.compact();
        }
        if (c.inputEnded && c.buffer.position() == 0) {
            c.channel.shutdownOutput(); // half-close back, then we are done with this connection
            drop(key);
            return;
        }
        int ops = (!c.inputEnded && c.buffer.hasRemaining() ? SelectionKey.OP_READ : 0)
                | (c.buffer.position() > 0 ? SelectionKey.OP_WRITE : 0);
        key.interestOps(ops);
    }

    private void drop(SelectionKey key) {
        if (key.attachment() instanceof Connection) {
            open.decrementAndGet();
        }
        closeQuietly(key);
    }

    private static void closeQuietly(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** Stops accepting and closes every connection; returns once the I/O thread has ended. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public String toString() {
        return "echo backend " + name + " on " + address();
    }
}
