package lb.listen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.admission.Cidr;
import lb.config.AdmissionConfig;
import lb.config.ProxyProtocolAccept;
import lb.listen.ListenerAdmission.Refusal;
import lb.proxyproto.ProxyHeaderParser.Accept;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.EchoBackend;
import lb.testing.Payload;
import lb.testing.TestConfigs;

/**
 * Test thread (and a few client threads). The admission rules through a real daemon with real
 * sockets from several 127.0.0.0/8 addresses: allow/deny, per-source connection and rate limits
 * (exact under concurrency over 4 loops), the bounded source table, the listener-wide rate limit
 * (clients wait, none refused), and the PROXY header's address as the one checked.
 */
class AdmissionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private static AdmissionConfig rules(List<String> allow, List<String> deny, int sourceMax, double sourceRate,
                                         int sourceBurst, int maxTracked, double rate, int rateBurst) {
        return new AdmissionConfig(allow.stream().map(Cidr::parse).toList(), deny.stream().map(Cidr::parse).toList(),
                sourceMax, sourceRate, sourceBurst, 32, 64, maxTracked, rate, rateBurst);
    }

    private Daemon daemon(AdmissionConfig admission, int workers) throws IOException {
        EchoBackend backend = cleanup.track(EchoBackend.start("echo"));
        return cleanup.track(Daemon.start(TestConfigs.balancing(backend.address()).workers(workers)
                .admission(admission).build()));
    }

    /** Whether a fresh connection from {@code from} is served (its bytes echoed) rather than reset. */
    private static boolean served(String from, InetSocketAddress to) throws IOException {
        Client client;
        try {
            client = Client.connectFrom(InetAddress.getByName(from), to);
        } catch (java.net.SocketException e) {
            return false; // reset before the connect call returned
        }
        try (client) {
            byte[] sent = Payload.random(from.hashCode(), 64);
            client.send(sent);
            return java.util.Arrays.equals(sent, client.readExactly(sent.length));
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void denyAndAllowListsLongestPrefixWins() throws Exception {
        Daemon daemon = daemon(rules(List.of("127.0.0.0/8"), List.of("127.0.0.0/16", "127.0.9.9"), 0, 0, 1, 1000, 0, 1),
                2);
        Listener listener = daemon.listeners().get(TestConfigs.LISTENER);
        InetSocketAddress web = daemon.listenerAddress(TestConfigs.LISTENER);
        assertTrue(!served("127.0.0.1", web), "127.0.0.0/16 (deny) is longer than 127.0.0.0/8 (allow)");
        assertTrue(served("127.1.0.1", web), "only 127.0.0.0/8 (allow) matches");
        Await.until(() -> listener.refused(Refusal.DENIED) == 1, TIMEOUT, "counted as denied");

        Daemon allowOnly = daemon(rules(List.of("127.0.0.7"), List.of(), 0, 0, 1, 1000, 0, 1), 1);
        InetSocketAddress other = allowOnly.listenerAddress(TestConfigs.LISTENER);
        assertTrue(served("127.0.0.7", other));
        assertTrue(!served("127.0.0.8", other), "an allow list refuses what it does not match");
    }

    @Test
    void perSourceConnectionLimitIsExactAcrossFourLoops() throws Exception {
        Daemon daemon = daemon(rules(List.of(), List.of(), 50, 0, 1, 1000, 0, 1), 4);
        Listener listener = daemon.listeners().get(TestConfigs.LISTENER);
        InetSocketAddress web = daemon.listenerAddress(TestConfigs.LISTENER);
        InetAddress source = InetAddress.getByName("127.0.0.5");
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Client> open = new ArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Client>> attempts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                attempts.add(pool.submit(() -> {
                    start.await();
                    Client c;
                    try {
                        c = Client.connectFrom(source, web);
                    } catch (java.net.SocketException e) {
                        return null;
                    }
                    try {
                        c.send(new byte[] {1});
                        if (c.readExactly(1)[0] == 1) {
                            return c; // served: keep it open
                        }
                    } catch (IOException e) {
                        // reset: refused
                    }
                    c.close();
                    return null;
                }));
            }
            start.countDown();
            for (Future<Client> f : attempts) {
                Client c = f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                if (c != null) {
                    open.add(c);
                }
            }
            assertEquals(50, open.size(), "exactly the limit is open");
            assertEquals(150, listener.refused(Refusal.SOURCE_CONNECTIONS));
            assertTrue(served("127.0.0.6", web), "another source is not held back");
            for (int i = 0; i < 10; i++) {
                open.remove(0).close();
            }
            Await.until(() -> listener.activeSessions() <= 40, TIMEOUT, "closed sessions released");
            int again = 0;
            for (int i = 0; i < 15; i++) {
                Client c = null;
                try {
                    c = Client.connectFrom(source, web);
                    c.send(new byte[] {2});
                    c.readExactly(1);
                    open.add(c);
                    again++;
                } catch (IOException e) {
                    if (c != null) {
                        c.close();
                    }
                }
            }
            assertEquals(10, again, "the freed slots, no more");
        } finally {
            pool.shutdownNow();
            for (Client c : open) {
                c.close();
            }
        }
    }

    @Test
    void perSourceRateAdmitsTheBurstThenTheRate() throws Exception {
        Daemon daemon = daemon(rules(List.of(), List.of(), 0, 100, 20, 1000, 0, 1), 4);
        InetSocketAddress web = daemon.listenerAddress(TestConfigs.LISTENER);
        // About 1,000 attempts a second from one source for 5 s: ten times its rate.
        long startNs = System.nanoTime();
        long endNs = startNs + TimeUnit.SECONDS.toNanos(5);
        int admitted = 0;
        int attempts = 0;
        long lastNs = startNs;
        while ((lastNs = System.nanoTime()) < endNs) {
            long dueNs = startNs + attempts * 1_000_000L;
            if (lastNs < dueNs) {
                Thread.sleep(0, 200_000); // pacing of the load, not a synchronisation
                continue;
            }
            attempts++;
            if (served("127.0.0.9", web)) {
                admitted++;
            }
        }
        double seconds = (lastNs - startNs) / 1e9;
        double expected = 20 + 100 * seconds;
        assertTrue(Math.abs(admitted - expected) <= expected * 0.05, admitted + " admitted of " + attempts
                + " in " + seconds + " s; expected about " + expected);
        assertTrue(served("127.0.0.10", web), "another source has its own bucket");
    }

    @Test
    void theSourceTableStaysWithinItsBoundOverManySources() throws Exception {
        Daemon daemon = daemon(rules(List.of(), List.of(), 10, 0, 1, 200, 0, 1), 2);
        Listener listener = daemon.listeners().get(TestConfigs.LISTENER);
        InetSocketAddress web = daemon.listenerAddress(TestConfigs.LISTENER);
        for (int i = 0; i < 3000; i++) {
            String from = "127.1." + (i / 250) + "." + (1 + i % 250);
            assertTrue(served(from, web), from);
            assertTrue(listener.admission().sources().tracked() <= 200, "tracked");
        }
        assertTrue(listener.admission().sources().evictions() >= 2800, "evictions counted: "
                + listener.admission().sources().evictions());
        assertEquals(0, listener.refused(Refusal.SOURCE_TABLE_FULL));
    }

    @Test
    void listenerRateLimitMakesClientsWaitNotFail() throws Exception {
        Daemon daemon = daemon(rules(List.of(), List.of(), 0, 0, 1, 1000, 200, 10), 2);
        InetSocketAddress web = daemon.listenerAddress(TestConfigs.LISTENER);
        long startNs = System.nanoTime();
        for (int i = 0; i < 300; i++) {
            assertTrue(served("127.0.0.1", web), "connection " + i + " served");
        }
        double seconds = (System.nanoTime() - startNs) / 1e9;
        // 10 at once, then 200 a second: 290 more need at least 1.45 s; none is refused meanwhile.
        assertTrue(seconds >= 1.4, "took " + seconds + " s");
        Listener listener = daemon.listeners().get(TestConfigs.LISTENER);
        for (Refusal r : Refusal.values()) {
            assertEquals(0, listener.refused(r), r.label());
        }
    }

    @Test
    void theProxyHeadersAddressIsTheOneChecked() throws Exception {
        EchoBackend backend = cleanup.track(EchoBackend.start("echo"));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(backend.address())
                .proxyAccept(new ProxyProtocolAccept(Accept.V1, Duration.ofSeconds(5), List.of()))
                .admission(rules(List.of(), List.of("203.0.113.0/24"), 0, 0, 1, 1000, 0, 1)).build()));
        InetSocketAddress web = daemon.listenerAddress(TestConfigs.LISTENER);
        Listener listener = daemon.listeners().get(TestConfigs.LISTENER);
        try (Client refused = Client.connect(web)) {
            refused.send("PROXY TCP4 203.0.113.9 192.0.2.1 1000 80\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(Client.End.RESET, refused.awaitEnd());
        }
        Await.until(() -> listener.refused(Refusal.DENIED) == 1, TIMEOUT, "denied by the header's address");
        try (Client ok = Client.connect(web)) {
            ok.send("PROXY TCP4 198.51.100.1 192.0.2.1 1000 80\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] data = Payload.random(11, 5000);
            ok.send(data);
            assertArrayEquals(Payload.sha256(data), Payload.sha256(ok.readExactly(data.length)));
        }
    }
}
