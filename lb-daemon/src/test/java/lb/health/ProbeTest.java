package lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.loop.KeyHandler;
import lb.testing.Await;
import lb.testing.BlackHole;
import lb.testing.Cleanup;
import lb.testing.DeadPort;

/**
 * Each probe type against real sockets, driven on the test thread with a selector of its own (as
 * the HealthChecker would drive it): the verdict and its reason, and that the probe's channel is
 * closed whatever the outcome (no key left on the selector, the backend sees the close).
 */
class ProbeTest {

    private static final long TIMEOUT_MS = 2_000;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** Makes a probe with the given verdict callback and deadline. */
    @FunctionalInterface
    private interface ProbeFactory {
        Probe make(Probe.Verdicts verdicts, long deadlineNs);
    }

    /** What came out of one probe run. */
    private record Outcome(String failure, long elapsedMs) {
        boolean passed() {
            return failure == null;
        }
    }

    /**
     * Starts a probe of {@code target} on a fresh selector and dispatches its keys until the
     * verdict, expiring it at its deadline as ActiveChecks does; then checks it left no key behind.
     */
    private static Outcome probe(InetSocketAddress target, long timeoutMs, ProbeFactory factory) throws IOException {
        try (Selector selector = Selector.open()) {
            String[] failure = new String[1];
            int[] verdicts = new int[1];
            long startNs = System.nanoTime();
            long deadlineNs = startNs + Duration.ofMillis(timeoutMs).toNanos();
            Probe probe = factory.make((p, f, nowNs) -> {
                verdicts[0]++;
                failure[0] = f;
            }, deadlineNs);
            probe.start(selector, target, startNs);
            while (verdicts[0] == 0) {
                long nowNs = System.nanoTime();
                if (nowNs - deadlineNs >= 0) {
                    probe.expire(nowNs, timeoutMs);
                    break;
                }
                selector.select(key -> ((KeyHandler) key.attachment()).onReady(key, System.nanoTime()),
                        Math.max(1, (deadlineNs - nowNs) / 1_000_000));
            }
            long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
            assertEquals(1, verdicts[0], "exactly one verdict");
            assertTrue(probe.isDone());
            selector.selectNow(); // a closed channel's key leaves the key set at the next select
            assertEquals(0, selector.keys().size(), "the probe's channel is still registered: not closed");
            return new Outcome(failure[0], elapsedMs);
        }
    }

    private static ProbeFactory tcp() {
        return TcpProbe::new;
    }

    private static ProbeFactory http(int statusMin, int statusMax) {
        byte[] request = HttpProbe.request("/healthz", "web.example");
        return (verdicts, deadlineNs) -> new HttpProbe(verdicts, deadlineNs, request, statusMin, statusMax);
    }

    private static ProbeFactory sendExpect(byte[] send, String expect) {
        return (verdicts, deadlineNs) -> new SendExpectProbe(verdicts, deadlineNs, send,
                expect.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads until the probe closes (or 2 s pass): counts the connections the probe closed. */
    private static ProbeServer.Reply silentUntilClosed(AtomicInteger closedByProbe) {
        return socket -> {
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[1024];
            try {
                while (in.read(sink) >= 0) {
                    // the request; then nothing is ever answered
                }
                closedByProbe.incrementAndGet();
            } catch (SocketTimeoutException e) {
                // the probe never closed: not counted
            }
        };
    }

    @Test
    void tcpPassesOnConnectAndFailsOnRefusal() throws Exception {
        ProbeServer server = cleanup.track(ProbeServer.start(0, ProbeServer.ACCEPT));
        assertTrue(probe(server.address(), TIMEOUT_MS, tcp()).passed());
        assertEquals("connection refused", probe(DeadPort.allocate(), TIMEOUT_MS, tcp()).failure());
    }

    @Test
    void tcpToABlackHoleFailsByTimeout() throws Exception {
        BlackHole hole = cleanup.track(BlackHole.open());
        Outcome outcome = probe(hole.address(), 100, tcp());
        assertEquals("timeout after 100 ms", outcome.failure());
        assertTrue(outcome.elapsedMs() >= 100 && outcome.elapsedMs() < 1_000, outcome.elapsedMs() + " ms");
    }

    @Test
    void httpSendsTheRequestAndJudgesTheStatus() throws Exception {
        AtomicLong requestLines = new AtomicLong();
        ProbeServer server = cleanup.track(ProbeServer.start(0, socket -> {
            String head = new String(socket.getInputStream().readNBytes(HttpProbe.request("/healthz", "web.example")
                    .length), StandardCharsets.US_ASCII);
            if (head.equals("GET /healthz HTTP/1.0\r\nHost: web.example\r\nConnection: close\r\n"
                    + "User-Agent: lb-health\r\n\r\n")) {
                requestLines.incrementAndGet();
            }
            socket.getOutputStream().write(ascii("HTTP/1.1 204 No Content\r\n\r\n"));
        }));
        assertTrue(probe(server.address(), TIMEOUT_MS, http(200, 399)).passed());
        assertEquals(1, requestLines.get(), "the request as sent");
        assertEquals("bad status 204", probe(server.address(), TIMEOUT_MS, http(200, 200)).failure());
        server.reply(ProbeServer.http(503));
        assertEquals("bad status 503", probe(server.address(), TIMEOUT_MS, http(200, 399)).failure());
        server.reply(socket -> socket.getOutputStream().write(ascii("+PONG\r\n")));
        assertEquals("not an HTTP status line", probe(server.address(), TIMEOUT_MS, http(200, 399)).failure());
        server.reply(socket -> { });
        assertEquals("connection closed without a reply", probe(server.address(), TIMEOUT_MS, http(200, 399))
                .failure());
    }

    @Test
    void httpBackendThatNeverAnswersFailsByTimeoutAndSeesTheProbeClose() throws Exception {
        AtomicInteger closed = new AtomicInteger();
        ProbeServer server = cleanup.track(ProbeServer.start(0, silentUntilClosed(closed)));
        for (int i = 1; i <= 3; i++) {
            Outcome outcome = probe(server.address(), 100, http(200, 399));
            assertEquals("timeout after 100 ms", outcome.failure());
            int expected = i;
            Await.until(() -> closed.get() == expected, Duration.ofSeconds(2), "the backend did not see probe "
                    + expected + " close its connection");
        }
    }

    @Test
    void sendExpectPassesOnTheExpectedPrefixOnly() throws Exception {
        ProbeServer redis = cleanup.track(ProbeServer.start(0, ProbeServer.sendExpect("PING\r\n", "+PONG\r\n")));
        assertTrue(probe(redis.address(), TIMEOUT_MS, sendExpect(ascii("PING\r\n"), "+PONG")).passed());
        redis.reply(ProbeServer.sendExpect("PING\r\n", "-ERR unknown command\r\n"));
        assertEquals("wrong reply", probe(redis.address(), TIMEOUT_MS, sendExpect(ascii("PING\r\n"), "+PONG"))
                .failure());
        redis.reply(ProbeServer.sendExpect("PING\r\n", "+PO"));
        assertEquals("reply ended after 3 of 5 expected bytes", probe(redis.address(), TIMEOUT_MS,
                sendExpect(ascii("PING\r\n"), "+PONG")).failure());
    }

    /**
     * 32 MiB is more than one non-blocking write takes (the send buffer is at most tcp_wmem's
     * maximum, 4 MiB by default), so the probe's writes are partial and it must finish them on
     * OP_WRITE; the backend answers only after it read every byte.
     */
    @Test
    void sendExpectWritesALongRequestFully() throws Exception {
        byte[] send = new byte[32 * 1024 * 1024];
        Arrays.fill(send, (byte) 'x');
        ProbeServer server = cleanup.track(ProbeServer.start(0, socket -> {
            InputStream in = socket.getInputStream();
            byte[] chunk = new byte[64 * 1024]; // counted, not kept: no 32 MiB of garbage for later tests' GC
            long got = 0;
            int n;
            while (got < send.length && (n = in.read(chunk)) >= 0) {
                got += n;
            }
            socket.getOutputStream().write(ascii(got == send.length ? "OK" : "SHORT"));
        }));
        Outcome outcome = probe(server.address(), 10_000, sendExpect(send, "OK"));
        assertNull(outcome.failure(), "took " + outcome.elapsedMs() + " ms");
    }

    /** Config allows up to 4 KiB of expected bytes; the probe reads as much as it expects. */
    @Test
    void sendExpectReadsAnExpectedReplyLongerThanOneKib() throws Exception {
        String reply = "+" + "p".repeat(3_000);
        ProbeServer server = cleanup.track(ProbeServer.start(0, ProbeServer.sendExpect("INFO\r\n", reply + "\r\n")));
        assertTrue(probe(server.address(), TIMEOUT_MS, sendExpect(ascii("INFO\r\n"), reply)).passed());
    }

    @Test
    void httpStatusLineParsing() {
        HttpProbe probe = new HttpProbe((p, f, n) -> { }, 0, new byte[0], 200, 299);
        assertNull(probe.judge(ByteBuffer.wrap(ascii("HTTP/1.1 20")), false), "wait for the rest of the line");
        assertEquals("no HTTP status line", probe.judge(ByteBuffer.wrap(ascii("HTTP/1.1 20")), true));
        assertEquals("", probe.judge(ByteBuffer.wrap(ascii("HTTP/1.1 200\r\n")), false), "no reason phrase");
        assertEquals("", probe.judge(ByteBuffer.wrap(ascii("HTTP/1.0 299 Fine\n")), false), "bare LF");
        assertEquals("bad status 300", probe.judge(ByteBuffer.wrap(ascii("HTTP/1.1 300 Multiple\r\n")), false));
        assertEquals("not an HTTP status line", probe.judge(ByteBuffer.wrap(ascii("HTTP/1.1 2000 x\r\n")), false));
        assertEquals("not an HTTP status line", probe.judge(ByteBuffer.wrap(ascii("SSH-2.0-OpenSSH\r\n")), false));
    }

    @Test
    void sendExpectRejectsAWrongFirstByteWithoutWaitingForMore() {
        SendExpectProbe probe = new SendExpectProbe((p, f, n) -> { }, 0, new byte[0], ascii("+PONG"));
        assertEquals("wrong reply", probe.judge(ByteBuffer.wrap(ascii("-")), false));
        assertNull(probe.judge(ByteBuffer.wrap(ascii("+PO")), false));
        assertEquals("", probe.judge(ByteBuffer.wrap(ascii("+PONG\r\n")), false));
    }

    @Test
    void hostHeaderBracketsIpv6Literals() {
        assertEquals("127.0.0.1:8080", ActiveChecks.hostHeader(new InetSocketAddress("127.0.0.1", 8080)));
        assertEquals("[0:0:0:0:0:0:0:1]:8080", ActiveChecks.hostHeader(new InetSocketAddress("::1", 8080)));
    }
}
