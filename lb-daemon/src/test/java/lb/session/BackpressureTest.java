package lb.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.config.SocketOptions;
import lb.testing.Cleanup;
import lb.testing.Await;
import lb.testing.EchoBackend;
import lb.testing.EchoFlows;
import lb.testing.Payload;
import lb.testing.ScriptedBackend;
import lb.testing.TestConfigs;

/**
 * A backend that never reads must not make the daemon buffer: the client is held back by TCP
 * flow control, the daemon holds at most one pending buffer for the session, and the event loop
 * keeps serving everyone else.
 */
class BackpressureTest {

    private static final long PUSH_LIMIT = 200L * 1024 * 1024;
    private static final Duration PUSH_TIME_LIMIT = Duration.ofSeconds(10);
    /** No byte accepted for this long: the pipe is full. */
    private static final Duration STALL = Duration.ofSeconds(1);
    private static final int BUFFER_SIZE = 64 * 1024;
    /** Kernel socket buffers we ask for on every hop (Linux doubles them for bookkeeping). */
    private static final int SOCKET_BUFFER = 256 * 1024;
    /**
     * What the whole path may hold: four socket buffers (client send, daemon receive, daemon send,
     * backend receive) of at most 512 KiB each as Linux counts them, plus the daemon's one or two
     * pending buffers: about 2 MiB. 8 MiB leaves room for kernel accounting; a daemon that buffers
     * in user space would take its whole pool (64 MiB) or everything.
     */
    private static final long ACCEPTED_BOUND = 8L * 1024 * 1024;
    private static final long DIRECT_GROWTH_BOUND = 4L * 1024 * 1024;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    private ScriptedBackend neverReads;
    private EchoBackend echo;
    private Daemon daemon;

    @BeforeEach
    void startBackends() throws IOException {
        // Accepts and holds each connection, never reading a byte.
        neverReads = cleanup.track(ScriptedBackend.start("never-reads", SOCKET_BUFFER, (socket, self) -> self.awaitClose()));
        echo = cleanup.track(EchoBackend.start("echo"));
    }

    private void startDaemon(Duration idleTimeout) throws IOException {
        // One loop for both listeners: the stalled session shares it with the echo sessions.
        daemon = cleanup.track(Daemon.start(TestConfigs.balancing(neverReads.address())
                .route("echo", "echo-pool", List.of(echo.address()))
                .workers(1)
                .bufferSize(BUFFER_SIZE)
                .idleTimeout(idleTimeout)
                .socket(new SocketOptions(true, false, SOCKET_BUFFER, SOCKET_BUFFER))
                .build()));
    }

    private static long directMemoryUsed() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        throw new IllegalStateException("no direct buffer pool MXBean");
    }

    /** A client that pushed toward the never-reading backend until the path was full. */
    private record Stalled(SocketChannel channel, long pushed, long maxPooled, long directBefore, long maxDirectGrowth,
                           String state) {
    }

    /**
     * Connects to the never-reading backend through the daemon and writes (non-blocking) until
     * 200 MiB went out, 10 s passed, or nothing was taken for 1 s; samples the daemon's pooled
     * bytes and the JVM's direct memory all along.
     */
    private Stalled pushUntilStalled() throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(256 * 1024);
        chunk.put(Payload.random(5, chunk.capacity())).flip();
        SocketChannel channel = cleanup.track(SocketChannel.open());
        channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
        channel.connect(daemon.listenerAddress(TestConfigs.LISTENER));
        channel.configureBlocking(false);
        Selector selector = cleanup.track(Selector.open());
        channel.register(selector, SelectionKey.OP_WRITE);
        long directBefore = directMemoryUsed();

        long pushed = 0;
        long maxPooled = 0;
        long maxDirectGrowth = 0;
        long startNs = System.nanoTime();
        long lastProgressNs = startNs;
        while (pushed < PUSH_LIMIT) {
            long nowNs = System.nanoTime();
            if (nowNs - startNs > PUSH_TIME_LIMIT.toNanos() || nowNs - lastProgressNs > STALL.toNanos()) {
                break;
            }
            int n = channel.write(chunk);
            if (!chunk.hasRemaining()) {
                chunk.rewind();
            }
            if (n > 0) {
                pushed += n;
                lastProgressNs = nowNs;
            } else {
                selector.select(50); // wait for the socket to take more, bounded by the stall check
                selector.selectedKeys().clear();
            }
            maxPooled = Math.max(maxPooled, daemon.pooledBytesInUse());
            maxDirectGrowth = Math.max(maxDirectGrowth, directMemoryUsed() - directBefore);
        }
        long pushMs = (System.nanoTime() - startNs) / 1_000_000;
        String state = "client pushed " + pushed + " bytes in " + pushMs + " ms; max pooled bytes in use " + maxPooled
                + " (buffer " + BUFFER_SIZE + ", pool max " + daemon.pooledBytesMax() + "); max direct memory growth "
                + maxDirectGrowth;
        System.out.println("BackpressureTest: " + state); // the margins, for whoever tunes the bounds
        return new Stalled(channel, pushed, maxPooled, directBefore, maxDirectGrowth, state);
    }

    @Test
    void backendThatNeverReadsHoldsTheClientBackWithoutDaemonBuffering() throws Exception {
        startDaemon(Duration.ofSeconds(60));
        Stalled stalled = pushUntilStalled();
        String state = stalled.state();

        assertEquals(1, neverReads.accepted(), "the stalled session reached its backend; " + state);
        assertTrue(stalled.pushed() < PUSH_LIMIT, "the client could push everything: the daemon does not push back; "
                + state);
        assertTrue(stalled.pushed() <= ACCEPTED_BOUND, "bytes accepted from a client whose backend never reads, at most "
                + ACCEPTED_BOUND + "; " + state);
        assertTrue(stalled.maxPooled() <= 2L * BUFFER_SIZE, "pooled bytes held for one stalled session; " + state);
        assertTrue(stalled.maxPooled() <= daemon.pooledBytesMax(), state);
        assertTrue(stalled.maxDirectGrowth() <= DIRECT_GROWTH_BOUND, "direct memory growth while pushing, at most "
                + DIRECT_GROWTH_BOUND + "; " + state);

        // The same event loop keeps serving other sessions while this one is stalled.
        List<EchoFlows.Spec> specs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            specs.add(new EchoFlows.Spec(512 * 1024, 100 + i, 16 * 1024));
        }
        List<EchoFlows.Result> results = EchoFlows.roundTrip(daemon.listenerAddress("echo"), specs, Duration.ofSeconds(20));
        assertEquals("", EchoFlows.failures(results), "echo sessions beside the stalled one");
        assertTrue(stalled.channel().isOpen() && daemon.activeSessions() >= 1, "the stalled session is still open");
        long pooledNow = daemon.pooledBytesInUse();
        assertTrue(pooledNow <= 2L * BUFFER_SIZE, "pooled bytes after the echo sessions: " + pooledNow);
        long directGrowth = directMemoryUsed() - stalled.directBefore();
        assertTrue(directGrowth <= DIRECT_GROWTH_BOUND, "direct memory growth after the echo sessions: " + directGrowth);

        // A stalled session ended from the backend side gives its pending buffer back.
        neverReads.close();
        Await.until(() -> daemon.pooledBytesInUse() == 0 && daemon.activeSessions() == 0, Duration.ofSeconds(3),
                () -> "after the never-reading backend closed: pooled bytes in use " + daemon.pooledBytesInUse()
                        + ", active sessions " + daemon.activeSessions());
    }

    /**
     * The client aborts (RST) while its bytes wait for a backend that never reads. The daemon is
     * not reading that client (its interest set is empty, so the JDK takes the socket out of
     * epoll and the reset goes unseen); the idle timeout is what ends such a session, and it must
     * then give its pending buffer back. docs/operations.md: "Timeouts".
     */
    @Test
    void stalledSessionIsEndedByTheIdleTimeoutAndFreesItsBuffer() throws Exception {
        Duration idle = Duration.ofSeconds(3); // well past the 1 s stall detection above
        startDaemon(idle);
        Stalled stalled = pushUntilStalled();
        assertTrue(daemon.pooledBytesInUse() > 0 && daemon.activeSessions() == 1,
                "a stalled session holds a pending buffer; " + stalled.state());

        stalled.channel().setOption(StandardSocketOptions.SO_LINGER, 0);
        stalled.channel().close();
        long resetNs = System.nanoTime();
        Await.until(() -> daemon.pooledBytesInUse() == 0 && daemon.activeSessions() == 0, idle.plusSeconds(3),
                () -> "after the stalled client reset its connection: pooled bytes in use " + daemon.pooledBytesInUse()
                        + ", active sessions " + daemon.activeSessions());
        long endedAfterMs = (System.nanoTime() - resetNs) / 1_000_000;
        assertTrue(endedAfterMs <= idle.toMillis() + 2_000, "ended " + endedAfterMs + " ms after the reset");
    }
}
