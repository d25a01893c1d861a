package lb.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.admission.Cidr;
import lb.config.ProxyProtocolAccept;
import lb.config.ProxyProtocolSend;
import lb.listen.Listener;
import lb.proxyproto.ProxyHeader;
import lb.proxyproto.ProxyHeaderParser;
import lb.proxyproto.ProxyHeaderParser.Accept;
import lb.proxyproto.ProxyHeaderParser.Failure;
import lb.proxyproto.ProxyHeaderWriter;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.EchoBackend;
import lb.testing.Payload;
import lb.testing.ScriptedBackend;
import lb.testing.TestConfigs;

/**
 * Test thread only. The PROXY protocol through a real daemon: the header lb sends its backends
 * (first, byte-exact), the header it takes from clients (whole, in pieces, with client bytes behind
 * it in the same segment), what it refuses and counts, and that the address a header names is the
 * one lb balances on.
 */
class ProxyProtocolTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final byte[] NO_ADDRESS = new byte[16];

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** What a backend saw: the header's bytes, then a SHA-256 of the rest. */
    private record Seen(byte[] header, ProxyHeader parsed) {
    }

    /**
     * A backend that reads a PROXY header of either version (with lb's own parser, byte by byte so
     * that nothing past it is consumed), reports it, then echoes everything after it.
     */
    private ScriptedBackend proxyEcho(String name, BlockingQueue<Seen> seen) throws Exception {
        return cleanup.track(ScriptedBackend.start(name, (socket, self) -> {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            ByteBuffer header = ByteBuffer.allocate(ProxyHeaderParser.MAX_LENGTH);
            ProxyHeader parsed = new ProxyHeader();
            int result = ProxyHeaderParser.NEED_MORE;
            while (result == ProxyHeaderParser.NEED_MORE) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                header.put((byte) b);
                result = ProxyHeaderParser.parse(header.duplicate().flip(), Accept.ANY, parsed);
            }
            assertTrue(result > 0, "backend got a valid header: " + (result < 0 ? ProxyHeaderParser.failure(result) : ""));
            byte[] bytes = new byte[result];
            header.flip().get(bytes);
            seen.add(new Seen(bytes, parsed));
            in.transferTo(out);
        }));
    }

    private static byte[] v1(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] v2(byte[] source, byte[] destination, int sourcePort, int destinationPort) {
        ByteBuffer out = ByteBuffer.allocate(ProxyHeaderWriter.MAX_V2_BYTES);
        ProxyHeaderWriter.v2(out, source, destination, source.length, sourcePort, destinationPort, -1);
        byte[] header = new byte[out.position()];
        out.flip().get(header);
        return header;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(a);
        all.writeBytes(b);
        return all.toByteArray();
    }

    private static void echoes(Client client, byte[] payload) throws Exception {
        client.send(payload);
        assertArrayEquals(Payload.sha256(payload), Payload.sha256(client.readExactly(payload.length)), "echoed intact");
    }

    @Test
    void sendsV1FirstWithTheClientAndListenerAddresses() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        ScriptedBackend backend = proxyEcho("v1", seen);
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(backend.address())
                .proxySend(ProxyProtocolSend.V1).build()));
        InetSocketAddress web = daemon.listenerAddress(TestConfigs.LISTENER);
        try (Client client = Client.connect(web)) {
            echoes(client, Payload.random(1, 100_000));
            Seen got = seen.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertEquals("PROXY TCP4 127.0.0.1 127.0.0.1 " + client.socket().getLocalPort() + " " + web.getPort()
                    + "\r\n", new String(got.header(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void sendsV2WithTheSessionIdAsUniqueId() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        ScriptedBackend backend = proxyEcho("v2", seen);
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(backend.address())
                .proxySend(ProxyProtocolSend.V2).build()));
        InetSocketAddress web = daemon.listenerAddress(TestConfigs.LISTENER);
        try (Client client = Client.connect(web)) {
            echoes(client, Payload.random(2, 50_000));
            Seen got = seen.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            ProxyHeader h = got.parsed();
            assertEquals(2, h.version());
            assertEquals(4, h.addressLength());
            assertArrayEquals(new byte[] {127, 0, 0, 1}, java.util.Arrays.copyOf(h.source(), 4));
            assertEquals(client.socket().getLocalPort(), h.sourcePort());
            assertEquals(web.getPort(), h.destinationPort());
            String uniqueId = new String(h.uniqueId(), 0, h.uniqueIdLength(), StandardCharsets.US_ASCII);
            assertTrue(uniqueId.matches("[1-9][0-9]*"), uniqueId);
            long id = Long.parseLong(uniqueId);
            assertTrue((id & 0xff) < 2 && id >> 8 >= 1, "(sessions issued << 8) | loop index, of 2 loops: " + id);
        }
    }

    @Test
    void acceptsV2AndRelaysTheBytesThatCameWithItAndSendsTheNamedClientOnward() throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        ScriptedBackend backend = proxyEcho("onward", seen);
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(backend.address())
                .proxyAccept(new ProxyProtocolAccept(Accept.V2, Duration.ofSeconds(5), List.of()))
                .proxySend(ProxyProtocolSend.V1).build()));
        InetSocketAddress web = daemon.listenerAddress(TestConfigs.LISTENER);
        byte[] header = v2(new byte[] {(byte) 203, 0, 113, 7}, new byte[] {(byte) 198, 51, 100, 1}, 40000, 443);
        byte[] first = Payload.random(3, 3000);
        try (Client client = Client.connect(web)) {
            client.send(concat(header, first)); // one write: the header and the client's first bytes together
            assertArrayEquals(Payload.sha256(first), Payload.sha256(client.readExactly(first.length)));
            echoes(client, Payload.random(4, 200_000));
            Seen got = seen.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertEquals("PROXY TCP4 203.0.113.7 198.51.100.1 40000 443\r\n",
                    new String(got.header(), StandardCharsets.US_ASCII), "the header's client and destination, onward");
        }
    }

    @Test
    void aHeaderThatComesOneByteAtATimeStillWorks() throws Exception {
        EchoBackend backend = cleanup.track(EchoBackend.start("echo"));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(backend.address())
                .proxyAccept(new ProxyProtocolAccept(Accept.ANY, Duration.ofSeconds(10), List.of())).build()));
        InetSocketAddress web = daemon.listenerAddress(TestConfigs.LISTENER);
        byte[] v6 = new byte[16];
        v6[0] = 0x20;
        v6[1] = 0x01;
        v6[15] = 1;
        for (byte[] header : List.of(v1("PROXY TCP6 2001:db8::1 2001:db8::2 65535 80\r\n"), v2(v6, v6, 1, 2))) {
            byte[] tail = Payload.random(header.length, 1000);
            try (Client client = Client.connect(web)) {
                byte[] all = concat(header, tail);
                for (int i = 0; i < all.length; i++) {
                    client.send(all, i, 1);
                    if (i < header.length) {
                        Thread.sleep(1); // pacing, so that the pieces tend to arrive apart (not a synchronisation)
                    }
                }
                assertArrayEquals(Payload.sha256(tail), Payload.sha256(client.readExactly(tail.length)));
                echoes(client, Payload.random(5, 10_000));
            }
        }
    }

    @Test
    void refusesBadLateUntrustedAndTruncatedHeadersCountsThemAndServesOthers() throws Exception {
        EchoBackend backend = cleanup.track(EchoBackend.start("echo"));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(backend.address())
                .route("guarded", "pool2", List.of(backend.address()))
                .proxyAccept(new ProxyProtocolAccept(Accept.V1, Duration.ofMillis(300), List.of(Cidr.parse("127.0.0.0/8"))))
                .build()));
        InetSocketAddress web = daemon.listenerAddress(TestConfigs.LISTENER);
        Listener listener = daemon.listeners().get(TestConfigs.LISTENER);

        Map<Failure, byte[]> bad = new HashMap<>();
        bad.put(Failure.NOT_PROXY, v1("GET / HTTP/1.1\r\n\r\n"));
        bad.put(Failure.V1_BAD_ADDRESS, v1("PROXY TCP4 1.2.3.256 1.2.3.4 1 2\r\n"));
        bad.put(Failure.V1_BAD_PORT, v1("PROXY TCP4 1.2.3.4 1.2.3.4 65536 2\r\n"));
        bad.put(Failure.V1_TOO_LONG, v1("PROXY TCP6 " + "1".repeat(120) + "\r\n"));
        for (Map.Entry<Failure, byte[]> e : bad.entrySet()) {
            try (Client client = Client.connect(web)) {
                client.send(e.getValue());
                assertEquals(Client.End.RESET, client.awaitEnd(), e.getKey().label());
            }
            Await.until(() -> listener.proxyRejected(e.getKey()) == 1, TIMEOUT, () -> "counted " + e.getKey());
        }
        try (Client late = Client.connect(web)) {
            late.send(v1("PROXY TCP4 1.2.3.4")); // and no more
            assertEquals(Client.End.RESET, late.awaitEnd(), "closed at proxy_protocol_timeout");
        }
        Await.until(() -> listener.proxyRejected(Failure.TIMEOUT) == 1, TIMEOUT, "timeout counted");
        try (Client early = Client.connect(web)) {
            early.send(v1("PROXY TCP4 1.2.3.4"));
            early.shutdownOutput();
            early.awaitEnd();
        }
        Await.until(() -> listener.proxyRejected(Failure.CLOSED) == 1, TIMEOUT, "closed early counted");
        // Refused before anything is read.
        Daemon strict = cleanup.track(Daemon.start(TestConfigs.balancing(backend.address())
                .proxyAccept(new ProxyProtocolAccept(Accept.V1, Duration.ofSeconds(5), List.of(Cidr.parse("10.0.0.0/8"))))
                .build()));
        Client.End untrustedEnd;
        try (Client untrusted = Client.connect(strict.listenerAddress(TestConfigs.LISTENER))) {
            untrustedEnd = untrusted.awaitEnd();
        } catch (java.net.SocketException e) {
            untrustedEnd = Client.End.RESET; // so soon that the client's connect call saw it
        }
        assertEquals(Client.End.RESET, untrustedEnd, "127.0.0.1 is not in 10.0.0.0/8: reset at once");
        Await.until(() -> strict.listeners().get(TestConfigs.LISTENER).proxyRejected(Failure.UNTRUSTED) == 1,
                TIMEOUT, "untrusted counted");
        // Through all of that, a well-formed client is served, and its header's address is its own.
        try (Client good = Client.connect(web)) {
            good.send(v1("PROXY TCP4 192.0.2.1 192.0.2.2 1234 80\r\n"));
            echoes(good, Payload.random(6, 64_000));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> stats = (Map<String, Object>) ((List<?>) daemon.stats().get("listeners")).stream()
                .map(m -> (Map<String, Object>) m).filter(m -> TestConfigs.LISTENER.equals(m.get("name")))
                .findFirst().orElseThrow();
        Map<?, ?> rejected = (Map<?, ?>) stats.get("proxy_protocol_rejected");
        assertEquals(1L, rejected.get("timeout"), rejected.toString());
        assertEquals(1L, rejected.get("not_proxy"), rejected.toString());
    }

    @Test
    void theHeadersAddressIsWhatHashingBalancersSee() throws Exception {
        BlockingQueue<Seen> seenA = new LinkedBlockingQueue<>();
        BlockingQueue<Seen> seenB = new LinkedBlockingQueue<>();
        ScriptedBackend a = proxyEcho("a", seenA);
        ScriptedBackend b = proxyEcho("b", seenB);
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(a.address(), b.address())
                .algorithm("source_hash")
                .proxyAccept(new ProxyProtocolAccept(Accept.V1, Duration.ofSeconds(5), List.of()))
                .proxySend(ProxyProtocolSend.V1).build()));
        InetSocketAddress web = daemon.listenerAddress(TestConfigs.LISTENER);
        // Every TCP peer is 127.0.0.1: only the header's addresses can spread these over both backends,
        // and the same header address must land on the same backend each time.
        Map<String, String> placed = new HashMap<>();
        for (int round = 0; round < 2; round++) {
            for (int i = 1; i <= 24; i++) {
                String source = "198.18.0." + i;
                try (Client client = Client.connect(web)) {
                    client.send(v1("PROXY TCP4 " + source + " 192.0.2.1 5000 80\r\n"));
                    echoes(client, Payload.random(i, 100));
                }
                // The backend reports the header before it echoes: after the echo, exactly one has.
                Seen onA = seenA.poll();
                Seen onB = seenB.poll();
                assertTrue((onA == null) != (onB == null), "one backend got " + source);
                String where = onA != null ? "a" : "b";
                String before = placed.putIfAbsent(source, where);
                assertTrue(before == null || before.equals(where), source + " moved from " + before + " to " + where);
            }
        }
        assertTrue(placed.containsValue("a") && placed.containsValue("b"), "spread by header address: " + placed);
    }
}
