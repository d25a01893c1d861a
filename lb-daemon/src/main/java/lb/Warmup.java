package lb;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import lb.config.Config;
import lb.config.ConfigException;
import lb.config.ConfigLoader;
import lb.config.DaemonConfig;
import lb.config.PoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Main thread, at start-up, before the real daemon binds its listeners: runs synthetic loopback
 * traffic through a throwaway daemon (the same event loop, acceptor, session, balancer and relay
 * code) so that the JIT has compiled the data path before the first client arrives.
 *
 * <p>Why: a JVM runs new code interpreted, then compiles what is hot. A fresh lb took its first
 * seconds of clients on that slow code: under connection churn the first 5 s after start had a p99
 * about 1.6x the warm one's, and each upgrade's new process showed it to the clients it took over
 * (docs/benchmarks.md). Compiled code belongs to the classes, not to the objects, so warming a
 * throwaway copy warms the real one; the real daemon's listeners, pools, counters, state file and
 * logs never see the warm-up. For an upgrade the warm-up runs before the new process joins the
 * listening sockets, while the old process still serves.
 *
 * <p>The traffic: eight client threads (blocking sockets) against one warm-up listener over two echo backends (one
 * thread of their own), for the configured time or {@link #MAX_CONNECTIONS} connections: mostly
 * a new connection per 64-byte exchange, every 50th one 20 exchanges, every 500th 256 KiB each way;
 * every echo is compared with what was sent. The warm-up pool balances with the first real pool's
 * algorithm, so the balancer the clients will use is the compiled one; when some real listener takes
 * PROXY protocol headers or routes by server name, the warm-up listener does too and every warm-up
 * connection starts with a v2 header and/or a ClientHello (relayed and echoed), so those paths are
 * compiled as well. A failure (a bind, a thread,
 * a wrong echo) ends the warm-up early with a warning; the daemon starts anyway.
 */
final class Warmup {

    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    /** Enough for C2 to compile the per-connection paths (thresholds of ~10^4 calls) several times over. */
    static final int MAX_CONNECTIONS = 30_000;
    private static final int CLIENTS = 8;
    private static final int SMALL = 64;
    private static final int BULK_CHUNK = 16 * 1024;
    private static final int BULK_CHUNKS = 16;
    private static final int SOCKET_TIMEOUT_MS = 2_000;

    /** What a warm-up did: connections relayed and checked, how long it took, why it stopped early (or null). */
    record Result(long connections, Duration took, String failure) {
    }

    private Warmup() {
    }

    /**
     * Runs the warm-up for {@code real}'s data path for at most {@code budget}, ending early when
     * {@code stop} turns true (a SIGTERM during start-up). Never throws: a failure is in the result.
     */
    static Result run(Config real, Duration budget, BooleanSupplier stop) {
        long startNs = System.nanoTime();
        long deadlineNs = startNs + budget.toNanos();
        AtomicLong done = new AtomicLong();
        AtomicReference<String> failure = new AtomicReference<>();
        try (EchoBackends echo = EchoBackends.start(2)) {
            Daemon daemon = Daemon.startQuietly(config(real, echo.ports()));
            try {
                InetSocketAddress target = daemon.listenerAddress(LISTENER);
                byte[] proxyHeader = takesProxyHeaders(real) ? proxyHeaderV2(target) : null;
                byte[] clientHello = routesByName(real) ? clientHello(SERVER_NAME) : null;
                List<Thread> clients = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    Thread client = new Thread(() -> {
                        try {
                            drive(target, proxyHeader, clientHello, deadlineNs, done, stop, failure);
                        } catch (IOException | RuntimeException e) {
                            failure.compareAndSet(null, e.toString());
                        }
                    }, "lb-warmup-" + i);
                    client.setDaemon(true);
                    clients.add(client);
                    client.start();
                }
                for (Thread client : clients) {
                    client.join(budget.toMillis() + 2L * SOCKET_TIMEOUT_MS);
                    if (client.isAlive()) {
                        failure.compareAndSet(null, client.getName() + " did not finish");
                        client.interrupt();
                    }
                }
            } finally {
                daemon.shutdown(Duration.ofSeconds(1));
            }
        } catch (IOException | ConfigException | RuntimeException e) {
            failure.compareAndSet(null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, "interrupted");
        }
        // The throwaway daemon's objects and direct buffers are garbage now: one collection before
        // the real daemon starts frees them at once, rather than in a pause under its first clients.
        System.gc();
        return new Result(done.get(), Duration.ofNanos(System.nanoTime() - startNs), failure.get());
    }

    /** Logs what a warm-up did, one line. */
    static void log(Result result) {
        if (result.failure() == null) {
            LOG.info("warm-up: {} connections relayed and checked in {} ms (the data path is compiled before clients "
                    + "arrive; [daemon] warmup)", result.connections(), result.took().toMillis());
        } else {
            LOG.warn("warm-up stopped after {} connections and {} ms: {}; starting anyway", result.connections(),
                    result.took().toMillis(), result.failure());
        }
    }

    static final String LISTENER = "warmup";

    /** Whether some real listener takes PROXY protocol headers: the warm-up then sends one (v2) first. */
    static boolean takesProxyHeaders(Config real) {
        return real.listeners().stream().anyMatch(l -> l.proxyProtocol() != null);
    }

    /** Whether some real listener routes by TLS server name: the warm-up then sends a ClientHello first. */
    static boolean routesByName(Config real) {
        return real.listeners().stream().anyMatch(l -> l.sni() != null);
    }

    /** The throwaway daemon's config: like the real one where the data path differs, on loopback otherwise. */
    static Config config(Config real, List<Integer> echoPorts) throws ConfigException {
        DaemonConfig d = real.daemon();
        String algorithm = real.pools().isEmpty() ? "round_robin" : real.pools().get(0).algorithm();
        StringBuilder toml = new StringBuilder()
                .append("[daemon]\n")
                .append("workers = ").append(d.workers()).append('\n')
                .append("buffer_size = ").append(d.bufferSize()).append('\n')
                .append("stats = ").append(d.stats()).append('\n')
                .append("access_log = \"off\"\n")
                .append("admin_socket = \"\"\n")
                .append("warmup = \"0s\"\n")
                .append("[[listener]]\n")
                .append("name = \"").append(LISTENER).append("\"\n")
                .append("bind = \"127.0.0.1:0\"\n")
                .append("pool = \"").append(LISTENER).append("\"\n");
        if (takesProxyHeaders(real)) {
            toml.append("proxy_protocol = \"v2\"\n");
        }
        if (routesByName(real)) {
            toml.append("[[listener.route]]\n")
                    .append("sni = [\"").append(SERVER_NAME).append("\"]\n")
                    .append("pool = \"").append(LISTENER).append("\"\n");
        }
        toml.append("[[pool]]\n")
                .append("name = \"").append(LISTENER).append("\"\n")
                .append("algorithm = \"").append(algorithm).append("\"\n");
        for (int i = 0; i < echoPorts.size(); i++) {
            toml.append("[[pool.backend]]\n")
                    .append("name = \"echo-").append(i).append("\"\n")
                    .append("address = \"127.0.0.1:").append(echoPorts.get(i)).append("\"\n");
        }
        return ConfigLoader.parse(toml.toString(), Optional.empty());
    }

    /** One client thread: connections until the deadline, the cap, a stop or a failure. */
    private static void drive(InetSocketAddress target, byte[] proxyHeader, byte[] clientHello, long deadlineNs,
                              AtomicLong done, BooleanSupplier stop, AtomicReference<String> failure)
            throws IOException {
        byte[] out = new byte[BULK_CHUNK];
        byte[] in = new byte[BULK_CHUNK];
        for (int i = 0; i < BULK_CHUNK; i++) {
            out[i] = (byte) (i * 31 + 7);
        }
        while (System.nanoTime() < deadlineNs && failure.get() == null && !stop.getAsBoolean()) {
            long n = done.getAndIncrement();
            if (n >= MAX_CONNECTIONS) {
                done.decrementAndGet();
                return;
            }
            int exchanges = n % 500 == 499 ? BULK_CHUNKS : n % 50 == 49 ? 20 : 1;
            int size = n % 500 == 499 ? BULK_CHUNK : SMALL;
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(true);
                socket.connect(target, SOCKET_TIMEOUT_MS);
                socket.setSoTimeout(SOCKET_TIMEOUT_MS);
                if (proxyHeader != null) {
                    socket.getOutputStream().write(proxyHeader); // read by lb, not relayed
                }
                if (clientHello != null) {
                    exchange(socket, clientHello, in, clientHello.length); // inspected, relayed, echoed
                }
                for (int e = 0; e < exchanges; e++) {
                    exchange(socket, out, in, size);
                }
            }
        }
    }

    /** The name the warm-up's ClientHellos carry (a route of the warm-up listener takes it). */
    static final String SERVER_NAME = "warmup.lb.invalid";

    /** A PROXY protocol v2 header (PROXY, TCP over IPv4) from 127.0.0.1 to {@code target}. */
    static byte[] proxyHeaderV2(InetSocketAddress target) {
        ByteBuffer b = ByteBuffer.allocate(16 + 12);
        b.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        b.put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
        b.put(new byte[] {127, 0, 0, 1}).put(target.getAddress().getAddress());
        b.putShort((short) 40000).putShort((short) target.getPort());
        return b.array();
    }

    /**
     * A minimal TLS 1.2-framed ClientHello naming {@code serverName}: one record, one cipher suite
     * (TLS_AES_128_GCM_SHA256), no compression, the server_name extension alone. Only lb's inspection
     * reads it; the echo backend sends it back.
     */
    static byte[] clientHello(String serverName) {
        byte[] name = serverName.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int sniData = 2 + 1 + 2 + name.length; // list length, name type, name length, name
        int extensions = 4 + sniData;
        int body = 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + extensions;
        ByteBuffer b = ByteBuffer.allocate(5 + 4 + body);
        b.put((byte) 22).putShort((short) 0x0301).putShort((short) (4 + body)); // record: handshake
        b.put((byte) 1).put((byte) (body >>> 16)).putShort((short) body); // ClientHello
        b.putShort((short) 0x0303).put(new byte[32]).put((byte) 0); // version, random, no session id
        b.putShort((short) 2).putShort((short) 0x1301); // cipher suites
        b.put((byte) 1).put((byte) 0); // compression: null
        b.putShort((short) extensions);
        b.putShort((short) 0).putShort((short) sniData); // server_name
        b.putShort((short) (1 + 2 + name.length)).put((byte) 0).putShort((short) name.length).put(name);
        return b.array();
    }

    /** Writes the first {@code size} bytes of {@code out} and reads them back into {@code in}, compared. */
    private static void exchange(Socket socket, byte[] out, byte[] in, int size) throws IOException {
        socket.getOutputStream().write(out, 0, size);
        InputStream stream = socket.getInputStream();
        int at = 0;
        while (at < size) {
            int r = stream.read(in, at, size - at);
            if (r < 0) {
                throw new IOException("warm-up: the relay closed after " + at + " of " + size + " echoed bytes");
            }
            at += r;
        }
        if (!Arrays.equals(in, 0, size, out, 0, size)) {
            throw new IOException("warm-up: an echo differs from what was sent");
        }
    }

    /** Loopback echo servers on one thread of their own: what comes in goes back; EOF closes. */
    private static final class EchoBackends implements Closeable {
        private final Selector selector;
        private final List<ServerSocketChannel> servers = new ArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;

        private EchoBackends(int count) throws IOException {
            selector = Selector.open();
            try {
                for (int i = 0; i < count; i++) {
                    ServerSocketChannel server = ServerSocketChannel.open();
                    servers.add(server);
                    server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    server.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
                    server.configureBlocking(false);
                    server.register(selector, SelectionKey.OP_ACCEPT);
                }
            } catch (IOException e) {
                closeAll();
                throw e;
            }
            thread = new Thread(this::serve, "lb-warmup-echo");
            thread.setDaemon(true);
        }

        static EchoBackends start(int count) throws IOException {
            EchoBackends echo = new EchoBackends(count);
            echo.thread.start();
            return echo;
        }

        List<Integer> ports() throws IOException {
            List<Integer> ports = new ArrayList<>();
            for (ServerSocketChannel server : servers) {
                ports.add(((InetSocketAddress) server.getLocalAddress()).getPort());
            }
            return ports;
        }

        private void serve() {
            try {
                while (running) {
                    selector.select(100);
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            SocketChannel accepted = ((ServerSocketChannel) key.channel()).accept();
                            if (accepted != null) {
                                accepted.configureBlocking(false);
                                accepted.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(BULK_CHUNK));
                            }
                        } else {
                            echo(key);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("warm-up echo backends stopped: {}", e.toString());
            } finally {
                closeAll();
            }
        }

        private static void echo(SelectionKey key) {
            SocketChannel channel = (SocketChannel) key.channel();
            ByteBuffer pending = (ByteBuffer) key.attachment();
            try {
                if (pending.position() == 0 && channel.read(pending) < 0) {
                    channel.close();
                    return;
                }
                pending.flip();
                channel.write(pending);
                pending.compact();
                key.interestOps(pending.position() > 0 ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            } catch (IOException e) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing after a failure: nothing left to do with it
                }
            }
        }

        private void closeAll() {
            for (SelectionKey key : selector.keys()) {
                try {
                    key.channel().close();
                } catch (IOException ignored) {
                    // a throwaway loopback socket
                }
            }
            for (ServerSocketChannel server : servers) {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // a throwaway loopback socket
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing registered is left
            }
        }

        @Override
        public void close() {
            running = false;
            selector.wakeup();
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
