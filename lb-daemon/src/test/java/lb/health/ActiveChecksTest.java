package lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.balance.Balancers;
import lb.config.ActiveCheck;
import lb.config.ProxyProtocolSend;
import lb.config.HealthConfig;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.HealthState;
import lb.testing.Await;
import lb.testing.BlackHole;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.DeadPort;
import lb.testing.TestConfigs;

/** Active checks against real backends: each probe type, rise/fall, spacing, timeouts, start-up. */
class ActiveChecksTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    static HealthConfig check(ActiveCheck.Type type, long intervalMs, int rise, int fall, boolean initialUp,
                              String path, int statusMin, int statusMax, String send, String expect) {
        return new HealthConfig(new ActiveCheck(type, Duration.ofMillis(intervalMs), Duration.ofMillis(intervalMs / 2),
                rise, fall, 0, path, null, statusMin, statusMax, send.getBytes(StandardCharsets.US_ASCII),
                expect.getBytes(StandardCharsets.US_ASCII), initialUp), null, 0, Duration.ZERO);
    }

    static HealthConfig tcp(long intervalMs, int rise, int fall, boolean initialUp) {
        return check(ActiveCheck.Type.TCP, intervalMs, rise, fall, initialUp, "/", 200, 399, "", "");
    }

    private Backend backend(Daemon daemon, int i) {
        return daemon.pool(TestConfigs.POOL).snapshot().backend(i);
    }

    private static void awaitState(Backend b, HealthState state) {
        Await.until(() -> b.healthState() == state, WAIT, () -> b + " is not " + state);
    }

    @Test
    void httpStatusDecides() throws Exception {
        ProbeServer server = cleanup.track(ProbeServer.start(0, ProbeServer.http(503)));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(server.address())
                .health(check(ActiveCheck.Type.HTTP, 50, 2, 2, true, "/healthz", 200, 399, "", "")).build()));
        Backend b = backend(daemon, 0);
        awaitState(b, HealthState.DOWN);
        server.reply(ProbeServer.http(200));
        awaitState(b, HealthState.UP);
        assertEquals(2, b.healthChanges(), "DOWN then UP, counted");
        server.reply(ProbeServer.http(302));
        int before = server.acceptedNs().size();
        Await.until(() -> server.acceptedNs().size() >= before + 4, WAIT, "probes did not continue");
        assertEquals(HealthState.UP, b.healthState(), "302 is in 200-399");
    }

    @Test
    void customStatusRangeAndInitialDown() throws Exception {
        ProbeServer server = cleanup.track(ProbeServer.start(0, ProbeServer.http(200)));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(server.address())
                .health(check(ActiveCheck.Type.HTTP, 50, 2, 2, false, "/", 204, 204, "", "")).build()));
        Backend b = backend(daemon, 0);
        Await.until(() -> server.acceptedNs().size() >= 4, WAIT, "probes did not run");
        assertEquals(HealthState.DOWN, b.healthState(), "200 is not the expected 204");
        server.reply(ProbeServer.http(204));
        awaitState(b, HealthState.UP);
    }

    @Test
    void sendExpectWantsTheExpectedReply() throws Exception {
        ProbeServer redis = cleanup.track(ProbeServer.start(0, ProbeServer.sendExpect("PING\r\n", "+PONG\r\n")));
        ProbeServer broken = cleanup.track(ProbeServer.start(0, ProbeServer.sendExpect("PING\r\n", "-ERR unknown\r\n")));
        HealthConfig health = check(ActiveCheck.Type.SEND_EXPECT, 50, 2, 2, false, "/", 200, 399, "PING\r\n", "+PONG");
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(redis.address(), broken.address())
                .health(health).build()));
        awaitState(backend(daemon, 0), HealthState.UP);
        Await.until(() -> broken.acceptedNs().size() >= 4, WAIT, "probes did not run");
        assertEquals(HealthState.DOWN, backend(daemon, 1).healthState(), "a -ERR reply is not +PONG");
    }

    /** Answers +PONG only to exactly {@code expected} (a PROXY header that names no client, then PING). */
    private static ProbeServer.Reply exactly(byte[] expected) {
        return socket -> {
            byte[] got = socket.getInputStream().readNBytes(expected.length);
            socket.getOutputStream().write((java.util.Arrays.equals(got, expected) ? "+PONG\r\n" : "-ERR\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        };
    }

    @Test
    void probesToAPoolThatSendsProxyHeadersStartWithOneThatNamesNoClient() throws Exception {
        byte[] v1 = "PROXY UNKNOWN\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] v2 = new byte[16 + 6];
        System.arraycopy(java.util.HexFormat.of().parseHex("0d0a0d0a000d0a515549540a20000000"), 0, v2, 0, 16);
        System.arraycopy("PING\r\n".getBytes(StandardCharsets.US_ASCII), 0, v2, 16, 6);
        for (ProxyProtocolSend version : new ProxyProtocolSend[] {ProxyProtocolSend.V1, ProxyProtocolSend.V2}) {
            ProbeServer server = cleanup.track(ProbeServer.start(0, exactly(version == ProxyProtocolSend.V1 ? v1 : v2)));
            HealthConfig health = check(ActiveCheck.Type.SEND_EXPECT, 50, 1, 1, false, "/", 200, 399, "PING\r\n", "+PONG");
            Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(server.address()).health(health)
                    .proxySend(version).build()));
            awaitState(backend(daemon, 0), HealthState.UP);
        }
    }

    @Test
    void firstProbeRunsAtStartUpAndProbesOfOneBackendAreAtLeastAnIntervalApart() throws Exception {
        ProbeServer server = cleanup.track(ProbeServer.start(0, ProbeServer.ACCEPT));
        long startNs = System.nanoTime();
        cleanup.track(Daemon.start(TestConfigs.balancing(server.address()).health(tcp(100, 1, 1, false)).build()));
        Await.until(() -> server.acceptedNs().size() >= 12, WAIT, "12 probes did not arrive");
        List<Long> at = server.acceptedNs();
        long firstMs = (at.get(0) - startNs) / 1_000_000;
        assertTrue(firstMs < 1_000, "first probe " + firstMs + " ms after start (daemon start-up included)");
        long totalMs = (at.get(at.size() - 1) - at.get(0)) / 1_000_000;
        // Accept times are taken by the test server's thread, which a loaded machine may delay:
        // each gap gets slack, the whole span almost none (a delay shortens one gap, lengthens the next).
        for (int i = 1; i < at.size(); i++) {
            long gapMs = (at.get(i) - at.get(i - 1)) / 1_000_000;
            assertTrue(gapMs >= 50, "probes " + (i - 1) + " and " + i + " only " + gapMs + " ms apart");
        }
        assertTrue(totalMs >= 11 * 100 - 20, "11 gaps of at least 100 ms took only " + totalMs + " ms");
        // Interval plus up to 10% jitter: 11 gaps within 1100..1210 ms, with room for a loaded machine.
        assertTrue(totalMs < 11 * 110 + 400, "11 gaps took " + totalMs + " ms");
    }

    @Test
    void backendNotYetCheckedTakesNoSessions() throws Exception {
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(DeadPort.allocate())
                .health(tcp(50, 1, 1, false)).build()));
        Backend b = backend(daemon, 0);
        try (Client client = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
            client.readTimeout(Duration.ofSeconds(5));
            assertEquals(Client.End.EOF, client.awaitEnd(), "no usable backend: closed");
        }
        assertEquals(0, b.totalSessions(), "a backend that never passed a probe got a session");
        assertEquals(HealthState.DOWN, b.healthState());
    }

    @Test
    void blackHoleFailsByTimeout() throws Exception {
        BlackHole hole = cleanup.track(BlackHole.open());
        long startNs = System.nanoTime();
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(hole.address())
                .health(tcp(100, 1, 1, true)).build()));
        awaitState(backend(daemon, 0), HealthState.DOWN);
        long ms = (System.nanoTime() - startNs) / 1_000_000;
        assertTrue(ms >= 50, "DOWN after " + ms + " ms: before the 50 ms timeout could pass");
        assertTrue(ms < 2_000, "DOWN only after " + ms + " ms");
    }

    /**
     * A backend that is up 300 ms and down 300 ms, probed every 50 ms with rise = fall = 8: no
     * phase is long enough to change its state, so the pool does not thrash.
     */
    @Test
    void flappingBackendDoesNotThrash() throws Exception {
        ProbeServer first = cleanup.track(ProbeServer.start(0, ProbeServer.ACCEPT));
        int port = first.port();
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(first.address())
                .health(tcp(50, 8, 8, true)).build()));
        Backend b = backend(daemon, 0);
        ProbeServer current = first;
        int flips = 0;
        long endNs = System.nanoTime() + Duration.ofMillis(2_400).toNanos();
        while (System.nanoTime() < endNs) {
            long phaseEndNs = System.nanoTime() + Duration.ofMillis(300).toNanos();
            Await.until(() -> System.nanoTime() >= phaseEndNs || b.healthState() != HealthState.UP,
                    Duration.ofSeconds(2), "phase");
            if (b.healthState() != HealthState.UP) {
                flips++;
                break;
            }
            if (current != null) {
                current.close();
                current = null;
            } else {
                current = cleanup.track(ProbeServer.start(port, ProbeServer.ACCEPT));
            }
        }
        assertEquals(0, flips, "state changes of a backend flapping faster than rise/fall");
        assertEquals(0, b.healthChanges(), "health changes counted");
        assertEquals(HealthState.UP, b.healthState());
    }

    /**
     * An http backend that accepts and reads the request but never answers: every probe fails by
     * its timeout, and its channel is closed each time: the backend sees the close, and the
     * checker's selector never holds more than the probe in flight plus one just closed.
     */
    @Test
    void silentHttpBackendFailsByTimeoutAndNoProbeChannelIsLeft() throws Exception {
        AtomicInteger closedByProbe = new AtomicInteger();
        ProbeServer server = cleanup.track(ProbeServer.start(0, socket -> {
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[1024];
            try {
                while (in.read(sink) >= 0) {
                    // the request; no answer ever
                }
                closedByProbe.incrementAndGet();
            } catch (SocketTimeoutException e) {
                // not closed by the probe: not counted
            }
        }));
        HealthConfig health = new HealthConfig(new ActiveCheck(ActiveCheck.Type.HTTP, Duration.ofMillis(50),
                Duration.ofMillis(25), 2, 2, 0, "/", null, 200, 399, null, null, true), null, 0, Duration.ZERO);
        // The checker alone, without a daemon, so that the test can read its selector's key count.
        BackendPool pool = new BackendPool(TestConfigs.balancing(server.address()).health(health).build().pools()
                .get(0), 1, Balancers::prepare);
        HealthChecker checker = cleanup.track(HealthChecker.start(List.of(pool)));
        Backend b = pool.snapshot().backend(0);
        int maxKeys = 0;
        long deadlineNs = System.nanoTime() + WAIT.toNanos();
        while (server.acceptedNs().size() < 20) {
            maxKeys = Math.max(maxKeys, checker.registeredKeys());
            assertTrue(System.nanoTime() < deadlineNs, "20 probes did not arrive");
            LockSupport.parkNanos(100_000);
        }
        assertEquals(HealthState.DOWN, b.healthState(), "never answered, yet not DOWN");
        assertTrue(maxKeys <= 2, "up to " + maxKeys + " keys on the checker's selector for one backend");
        int accepted = server.acceptedNs().size();
        Await.until(() -> closedByProbe.get() >= accepted - 1, WAIT, () -> "probes closed " + closedByProbe.get()
                + " of " + accepted + " connections (all but the one in flight)");
        checker.close();
        Await.until(() -> closedByProbe.get() >= server.acceptedNs().size(), WAIT,
                "closing the checker left a probe connection open");
    }

    /**
     * initial_state down: a live backend is held back until its first probe has passed, however
     * long that probe takes; the first probe runs right at start-up.
     */
    @Test
    void liveBackendTakesNoSessionUntilItsFirstProbePasses() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ProbeServer.Reply ok = ProbeServer.http(200);
        ProbeServer server = cleanup.track(ProbeServer.start(0, socket -> {
            try {
                release.await(3, TimeUnit.SECONDS); // holds the answer to the first probe (timeout 4 s)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ok.handle(socket);
        }));
        long callNs = System.nanoTime();
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(server.address())
                .health(check(ActiveCheck.Type.HTTP, 8_000, 2, 2, false, "/", 200, 399, "", "")).build()));
        long returnedNs = System.nanoTime();
        Backend b = backend(daemon, 0);
        Await.until(() -> !server.acceptedNs().isEmpty(), WAIT, "no first probe");
        long firstAfterReturnMs = (server.acceptedNs().get(0) - returnedNs) / 1_000_000;
        assertTrue(firstAfterReturnMs <= 200, "first probe " + firstAfterReturnMs + " ms after Daemon.start returned"
                + " (the call took " + (returnedNs - callNs) / 1_000_000 + " ms)");

        try (Client client = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
            client.readTimeout(Duration.ofSeconds(5));
            assertEquals(Client.End.EOF, client.awaitEnd(), "no usable backend yet: closed");
        }
        assertEquals(0, b.totalSessions(), "a session went to a backend whose first probe had not passed");
        assertEquals(HealthState.DOWN, b.healthState());

        release.countDown();
        awaitState(b, HealthState.UP);
        try (Client client = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
            client.send("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String status = new String(client.readExactly(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.0 200", status);
        }
        assertEquals(1, b.totalSessions());
    }

    /**
     * The worst flapping there is, a different answer on every probe, with rise = fall = 2: no
     * streak ever reaches 2, so the state never changes (rise = fall = 1 would change it on every probe).
     */
    @Test
    void backendAlternatingOnEveryProbeNeverChangesState() throws Exception {
        AtomicInteger probes = new AtomicInteger();
        ProbeServer.Reply pass = ProbeServer.http(200);
        ProbeServer.Reply fail = ProbeServer.http(503);
        ProbeServer server = cleanup.track(ProbeServer.start(0, socket ->
                (probes.getAndIncrement() % 2 == 0 ? fail : pass).handle(socket)));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(server.address())
                .health(check(ActiveCheck.Type.HTTP, 30, 2, 2, true, "/", 200, 399, "", "")).build()));
        Backend b = backend(daemon, 0);
        Await.until(() -> probes.get() >= 20, WAIT, "20 probes did not arrive");
        assertEquals(0, b.healthChanges(), "state changes while every other probe failed");
        assertEquals(HealthState.UP, b.healthState());
    }

    /**
     * Listening 300 ms, closed 300 ms, probed every 100 ms with rise = fall = 3: each change needs
     * 3 agreeing probes at least an interval apart, so changes are at least 300 ms apart whatever
     * the backend does: at most elapsed / (3 x 100 ms) + 1 of them.
     */
    @Test
    void flappingBackendChangesStateAtMostOncePerRiseOrFallProbes() throws Exception {
        long intervalMs = 100;
        int riseFall = 3;
        ProbeServer first = cleanup.track(ProbeServer.start(0, ProbeServer.ACCEPT));
        int port = first.port();
        long startNs = System.nanoTime();
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(first.address())
                .health(tcp(intervalMs, riseFall, riseFall, true)).build()));
        Backend b = backend(daemon, 0);
        ProbeServer current = first;
        long endNs = startNs + Duration.ofMillis(2_400).toNanos();
        while (System.nanoTime() < endNs) {
            long phaseEndNs = System.nanoTime() + Duration.ofMillis(300).toNanos();
            Await.until(() -> System.nanoTime() >= phaseEndNs, Duration.ofSeconds(2), "phase");
            if (current != null) {
                current.close();
                current = null;
            } else {
                current = cleanup.track(ProbeServer.start(port, ProbeServer.ACCEPT));
            }
        }
        long changes = b.healthChanges();
        long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
        long bound = elapsedMs / (riseFall * intervalMs) + 1;
        assertTrue(changes <= bound, changes + " state changes in " + elapsedMs + " ms (bound " + bound + ")");
    }

    @Test
    void backendAddedAtRuntimeIsProbedAndARemovedOneNoLonger() throws Exception {
        ProbeServer first = cleanup.track(ProbeServer.start(0, ProbeServer.ACCEPT));
        ProbeServer later = cleanup.track(ProbeServer.start(0, ProbeServer.ACCEPT));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(first.address())
                .health(tcp(50, 1, 1, false)).build()));
        lb.pool.BackendPool pool = daemon.pool(TestConfigs.POOL);
        Backend added = pool.add(new lb.config.BackendConfig("later", later.address(), 1));
        assertEquals(HealthState.DOWN, added.healthState(), "a new backend waits for its first probe");
        awaitState(added, HealthState.UP);
        pool.remove(added);
        int probesAtRemoval = later.acceptedNs().size();
        long windowEndNs = System.nanoTime() + Duration.ofMillis(400).toNanos();
        Await.until(() -> System.nanoTime() >= windowEndNs, WAIT, "window");
        assertTrue(later.acceptedNs().size() <= probesAtRemoval + 1,
                "probes after removal: " + (later.acceptedNs().size() - probesAtRemoval) + " (at most one in flight)");
        assertTrue(first.acceptedNs().size() >= 8, "the remaining backend is still probed");
    }
}
