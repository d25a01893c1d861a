package lb.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Type;

import lb.Daemon;
import lb.config.ConfigLoader;
import lb.config.Tiers;
import lb.control.Caller;
import lb.pool.AdminState;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.DiscoveryFailure;
import lb.pool.HealthState;
import lb.pool.PoolSnapshot;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.FakeDns;
import lb.testing.LogCapture;
import lb.testing.ScriptedBackend;

/**
 * Backends from DNS against a DNS server on 127.0.0.1 ({@link FakeDns}) over real UDP and TCP, and
 * real backends that answer each line with their name: the pool follows the answers (adds, drains,
 * removes), keeps its last good set on every kind of failure while counting it, honours TTLs within
 * min_refresh..max_refresh, retries truncated answers over TCP, enforces max_backends, and changes
 * with a reload. Waits are conditions with deadlines; durations are short.
 */
class DiscoveryTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String SRV_NAME = "_app._tcp.svc.test";

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private FakeDns dns;

    /** A backend that answers each line it reads with its name, until the client closes. */
    private ScriptedBackend named(String name) throws IOException {
        return cleanup.track(ScriptedBackend.start(name, (socket, self) -> {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            while (in.readLine() != null) {
                out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        }));
    }

    /** A session that stays open: each {@link Session#ask()} says which backend it is on. */
    private final class Session implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;

        Session(Daemon daemon) throws IOException {
            socket = new Socket();
            socket.connect(daemon.listenerAddress("web"), 5_000);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        }

        String ask() throws IOException {
            socket.getOutputStream().write("who\n".getBytes(StandardCharsets.US_ASCII));
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** The backends {@code n} new sessions reached. */
    private Set<String> sessions(Daemon daemon, int n) throws IOException {
        Set<String> reached = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            try (Session s = new Session(daemon)) {
                reached.add(s.ask());
            }
        }
        return reached;
    }

    private static String target(String host, ScriptedBackend b) {
        return host + ":" + b.address().getPort();
    }

    private static SRVRecord srv(long ttl, int priority, int weight, ScriptedBackend b, String host) {
        return FakeDns.srv(SRV_NAME, ttl, priority, weight, b.address().getPort(), host);
    }

    private static Record a(String host, long ttl) {
        return FakeDns.address(host, ttl, "127.0.0.1");
    }

    private String config(String algorithm, String discovery, String extra) {
        return """
                [daemon]
                workers = 2
                access_log = false
                admin_socket = ""
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                algorithm = "%s"
                %s
                [pool.discovery]
                resolvers = ["%s"]
                %s
                """.formatted(algorithm, extra, dns.resolver(), discovery);
    }

    private Daemon start(String toml) throws Exception {
        Path file = dir.resolve("lb.toml");
        Files.writeString(file, toml);
        return cleanup.track(Daemon.start(ConfigLoader.load(file)));
    }

    private static BackendPool pool(Daemon daemon) {
        return daemon.pool("web");
    }

    /** name -> "weight/tier/admin state" of the pool's backends. */
    private static Map<String, String> backends(Daemon daemon) {
        Map<String, String> m = new TreeMap<>();
        for (Backend b : pool(daemon).snapshot().backends()) {
            m.put(b.name(), b.weight() + "/" + Tiers.describe(b.tier()) + "/" + b.adminState().name().toLowerCase());
        }
        return m;
    }

    private static Backend backend(Daemon daemon, String name) {
        for (Backend b : pool(daemon).snapshot().backends()) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        return null;
    }

    private static Reply.DiscoveryStatus status(Daemon daemon) {
        Reply.Status status = (Reply.Status) daemon.control().call(new Request.Status(), Caller.signal("test"), 10_000);
        return status.pools().get(0).discovery();
    }

    @Test
    void srvRecordsGiveBackendsWithTheirWeightsAndTiersAndTheyTakeSessions() throws Exception {
        dns = cleanup.track(FakeDns.start());
        ScriptedBackend a = named("a");
        ScriptedBackend b = named("b");
        ScriptedBackend c = named("c");
        dns.srvWithAddresses(SRV_NAME, List.of(srv(1, 10, 5, a, "a.svc.test"), srv(1, 10, 1, b, "b.svc.test"),
                srv(1, 20, 3, c, "c.svc.test")), List.of(a("a.svc.test", 1), a("b.svc.test", 1), a("c.svc.test", 1)));
        // No static backend: DNS gives them all; start-up waits for the first answer.
        Daemon daemon = start(config("weighted_round_robin", "name = \"" + SRV_NAME + "\"\nmin_refresh = \"50ms\"", ""));
        assertEquals(Map.of(target("a.svc.test", a), "5/10/active", target("b.svc.test", b), "1/10/active",
                target("c.svc.test", c), "3/20/active"), backends(daemon));
        assertEquals(Set.of("a", "b"), sessions(daemon, 30), "priority 10 serves, 20 waits");

        // The priority-10 records go: their backends drain and leave, priority 20 serves.
        dns.set(SRV_NAME, Type.SRV, List.of(srv(1, 20, 3, c, "c.svc.test")));
        Await.until(() -> backends(daemon).equals(Map.of(target("c.svc.test", c), "3/20/active")), WAIT,
                () -> "pool did not follow: " + backends(daemon));
        assertEquals(Set.of("c"), sessions(daemon, 10));
        Reply.DiscoveryStatus status = status(daemon);
        assertEquals(List.of(SRV_NAME, "srv", 1, 0L), List.of(status.name(), status.type(), status.backends(),
                status.failures()));
        assertNull(status.failing());
    }

    @Test
    void aNewRecordIsAddedWithinItsTtlAndAVanishedOneDrainsItsOpenSessionThenLeaves() throws Exception {
        dns = cleanup.track(FakeDns.start());
        ScriptedBackend a = named("a");
        ScriptedBackend b = named("b");
        dns.srvWithAddresses(SRV_NAME, List.of(srv(1, 0, 1, a, "a.svc.test")),
                List.of(a("a.svc.test", 1), a("b.svc.test", 1)));
        Daemon daemon = start(config("round_robin", "name = \"" + SRV_NAME + "\"\nmin_refresh = \"100ms\"", ""));
        assertEquals(Set.of(target("a.svc.test", a)), backends(daemon).keySet());

        long addedAtNs = System.nanoTime();
        dns.set(SRV_NAME, Type.SRV, List.of(srv(1, 0, 1, a, "a.svc.test"), srv(1, 0, 1, b, "b.svc.test")));
        Await.until(() -> backends(daemon).size() == 2, WAIT, () -> "b not added: " + backends(daemon));
        long tookMs = (System.nanoTime() - addedAtNs) / 1_000_000;
        assertTrue(tookMs <= 2_000, "added " + tookMs + " ms after the record appeared (TTL 1 s + 1 s)");
        assertEquals(Set.of("a", "b"), sessions(daemon, 10), "the new backend takes sessions");

        // a's record goes while a session is open on a.
        Session onA = cleanup.track(sessionOn(daemon, "a"));
        dns.set(SRV_NAME, Type.SRV, List.of(srv(1, 0, 1, b, "b.svc.test")));
        Backend gone = backend(daemon, target("a.svc.test", a));
        Await.until(() -> gone.adminState() == AdminState.DRAINING, WAIT, "a is not draining");
        assertTrue(gone.goneFromDns());
        assertEquals(Set.of("b"), sessions(daemon, 10), "no new session on the draining backend");
        int queries = dns.queries(SRV_NAME).size();
        Await.until(() -> dns.queries(SRV_NAME).size() >= queries + 2, WAIT, "no more lookups");
        assertSame(gone, backend(daemon, gone.name()), "still in the pool while its session is open");
        assertEquals("a", onA.ask(), "its open session goes on");
        onA.close();
        Await.until(() -> backend(daemon, gone.name()) == null, WAIT, "a did not leave once its session ended");
        assertEquals(Set.of(target("b.svc.test", b)), backends(daemon).keySet());

        // It comes back: a new backend again.
        dns.set(SRV_NAME, Type.SRV, List.of(srv(1, 0, 1, a, "a.svc.test"), srv(1, 0, 1, b, "b.svc.test")));
        Await.until(() -> backends(daemon).size() == 2, WAIT, () -> "a not back: " + backends(daemon));
    }

    /** Opens sessions until one lands on {@code backend}; closes the others. */
    private Session sessionOn(Daemon daemon, String backend) throws IOException {
        for (int i = 0; i < 20; i++) {
            Session s = new Session(daemon);
            if (s.ask().equals(backend)) {
                return s;
            }
            s.close();
        }
        throw new AssertionError("no session reached " + backend);
    }

    @Test
    void anUnchangedAnswerPublishesNoNewSnapshot() throws Exception {
        dns = cleanup.track(FakeDns.start());
        ScriptedBackend a = named("a");
        dns.srvWithAddresses(SRV_NAME, List.of(srv(0, 0, 1, a, "a.svc.test")), List.of(a("a.svc.test", 0)));
        Daemon daemon = start(config("maglev", "name = \"" + SRV_NAME + "\"\nmin_refresh = \"50ms\"", ""));
        PoolSnapshot before = pool(daemon).snapshot();
        int queries = dns.queries(SRV_NAME).size();
        Await.until(() -> dns.queries(SRV_NAME).size() >= queries + 5, WAIT, "no more lookups");
        assertSame(before, pool(daemon).snapshot(), "five identical answers published nothing");
    }

    enum Broken {
        SERVFAIL(DiscoveryFailure.SERVFAIL), NXDOMAIN(DiscoveryFailure.NXDOMAIN), TIMEOUT(DiscoveryFailure.TIMEOUT),
        EMPTY(DiscoveryFailure.EMPTY), TRUNCATED(DiscoveryFailure.TRUNCATED);

        final DiscoveryFailure reason;

        Broken(DiscoveryFailure reason) {
            this.reason = reason;
        }
    }

    /** A resolver address where no DNS server runs answers with ICMP port unreachable: "unreachable", not a timeout. */
    @Test
    void aResolverWithNothingListeningCountsAsUnreachableNotAsATimeout() throws Exception {
        dns = cleanup.track(FakeDns.start());
        int dead;
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            dead = socket.getLocalPort(); // free again once closed: nothing listens there
        }
        Daemon daemon = start(config("round_robin", "name = \"" + SRV_NAME + "\"\nmin_refresh = \"50ms\"\n"
                + "max_refresh = \"200ms\"\ntimeout = \"2s\"", "").replace(dns.resolver(), "127.0.0.1:" + dead));
        Await.until(() -> pool(daemon).discoveryState().failures(DiscoveryFailure.UNREACHABLE) >= 2, WAIT,
                () -> "unreachable: " + pool(daemon).discoveryState().failures(DiscoveryFailure.UNREACHABLE)
                        + ", other: " + pool(daemon).discoveryState().failures(DiscoveryFailure.OTHER)
                        + ", status: " + status(daemon));
        assertEquals(0, pool(daemon).discoveryState().failures(DiscoveryFailure.TIMEOUT), "told at once, not timed out");
        assertEquals("unreachable", status(daemon).failing());
    }

    @ParameterizedTest
    @EnumSource(Broken.class)
    void aFailedLookupKeepsTheLastGoodSetIsCountedLoggedOnceAndRecovers(Broken broken) throws Exception {
        dns = cleanup.track(FakeDns.start());
        ScriptedBackend a = named("a");
        ScriptedBackend b = named("b");
        List<SRVRecord> good = List.of(srv(1, 0, 1, a, "a.svc.test"), srv(1, 0, 1, b, "b.svc.test"));
        dns.srvWithAddresses(SRV_NAME, good, List.of(a("a.svc.test", 1), a("b.svc.test", 1)));
        try (LogCapture log = LogCapture.start()) {
            Daemon daemon = start(config("round_robin", "name = \"" + SRV_NAME + "\"\nmin_refresh = \"50ms\"\n"
                    + "max_refresh = \"200ms\"\ntimeout = \"200ms\"", ""));
            PoolSnapshot before = pool(daemon).snapshot();
            assertEquals(2, before.size());
            switch (broken) {
                case SERVFAIL -> dns.failure(FakeDns.Failure.SERVFAIL);
                case NXDOMAIN -> dns.failure(FakeDns.Failure.NXDOMAIN);
                case TIMEOUT -> dns.failure(FakeDns.Failure.SILENT);
                case EMPTY -> dns.set(SRV_NAME, Type.SRV, List.of());
                case TRUNCATED -> dns.tcp(false).failure(FakeDns.Failure.TRUNCATE);
            }
            Await.until(() -> pool(daemon).discoveryState().failures(broken.reason) >= 3, WAIT,
                    () -> "not counted: " + pool(daemon).discoveryState().failures(broken.reason));
            assertSame(before, pool(daemon).snapshot(), "the last good set is kept, untouched");
            assertEquals(Set.of("a", "b"), sessions(daemon, 10), "and serves");
            Reply.DiscoveryStatus status = status(daemon);
            assertEquals(broken.reason.label(), status.failing());
            assertEquals(2, status.backends());
            assertTrue(status.failures() >= 3);
            Map<?, ?> stats = (Map<?, ?>) ((List<?>) daemon.stats().get("pools")).get(0);
            assertTrue((Long) ((Map<?, ?>) stats.get("discovery_failures")).get(broken.reason.label()) >= 3, stats.toString());
            Pattern failing = Pattern.compile("pool web: discovery of " + Pattern.quote(SRV_NAME) + " \\(srv\\) failing: "
                    + broken.reason.label());
            assertEquals(1, log.lines(failing).size(), "logged once, not per failed lookup");

            dns.failure(FakeDns.Failure.NONE).tcp(true).set(SRV_NAME, Type.SRV, good);
            Await.until(() -> pool(daemon).discoveryState().failing() == null, WAIT, "did not recover");
            assertSame(before, pool(daemon).snapshot(), "the same answer again: nothing to change");
            Await.until(() -> !log.lines(Pattern.compile("pool web: discovery of .* answers again")).isEmpty(), WAIT,
                    "recovery not logged");
        }
    }

    @Test
    void aTruncatedUdpAnswerIsAskedAgainOverTcpAndMaxBackendsIsEnforced() throws Exception {
        dns = cleanup.track(FakeDns.start());
        ScriptedBackend a = named("a");
        List<SRVRecord> many = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            // One target, 1,000 ports (nothing listens on them but a's): far more than 512 bytes.
            many.add(FakeDns.srv(SRV_NAME, 30, 0, 1, i == 0 ? a.address().getPort() : 20_000 + i, "t.svc.test"));
        }
        dns.srvWithAddresses(SRV_NAME, many, List.of(a("t.svc.test", 30)));
        try (LogCapture log = LogCapture.start()) {
            Daemon daemon = start(config("round_robin", "name = \"" + SRV_NAME + "\"\nmax_backends = 64", ""));
            assertTrue(dns.tcpQueries() > 0, "asked again over TCP");
            assertEquals(64, pool(daemon).snapshot().size(), "max_backends");
            Reply.DiscoveryStatus status = status(daemon);
            assertEquals(List.of(64, 936), List.of(status.backends(), status.leftOut()));
            assertEquals(1, log.lines(Pattern.compile("pool web: discovery of .* gives 1000 backends, more than "
                    + "max_backends = 64: 936 left out")).size());
        }
    }

    /** Times between lookups. */
    private List<Long> gapsMs(int lookups) {
        Await.until(() -> dns.queries(SRV_NAME).size() >= lookups, WAIT, "too few lookups");
        List<FakeDns.Query> q = dns.queries(SRV_NAME);
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < lookups; i++) {
            gaps.add((q.get(i).atNs() - q.get(i - 1).atNs()) / 1_000_000);
        }
        return gaps;
    }

    @Test
    void theTtlDecidesTheNextLookupWithinMinAndMaxRefresh() throws Exception {
        dns = cleanup.track(FakeDns.start());
        ScriptedBackend a = named("a");
        // TTL 1 s, within 100 ms..5 s: a lookup a second.
        dns.srvWithAddresses(SRV_NAME, List.of(srv(1, 0, 1, a, "a.svc.test")), List.of(a("a.svc.test", 1)));
        start(config("round_robin", "name = \"" + SRV_NAME + "\"\nmin_refresh = \"100ms\"\nmax_refresh = \"5s\"", ""));
        for (long gap : gapsMs(4)) {
            assertTrue(gap >= 900 && gap <= 2_000, "TTL 1 s: " + gapsMs(4));
        }
    }

    @Test
    void aTtlBelowMinRefreshWaitsMinRefreshAndAboveMaxRefreshMaxRefresh() throws Exception {
        dns = cleanup.track(FakeDns.start());
        ScriptedBackend a = named("a");
        dns.srvWithAddresses(SRV_NAME, List.of(srv(0, 0, 1, a, "a.svc.test")), List.of(a("a.svc.test", 0)));
        Daemon low = start(config("round_robin", "name = \"" + SRV_NAME + "\"\nmin_refresh = \"300ms\"", ""));
        for (long gap : gapsMs(5)) {
            assertTrue(gap >= 280 && gap <= 1_500, "TTL 0, min_refresh 300 ms: " + gapsMs(5));
        }
        low.close();

        FakeDns second = cleanup.track(FakeDns.start());
        dns = second;
        dns.srvWithAddresses(SRV_NAME, List.of(srv(3600, 0, 1, a, "a.svc.test")), List.of(a("a.svc.test", 3600)));
        start(config("round_robin", "name = \"" + SRV_NAME + "\"\nmin_refresh = \"100ms\"\nmax_refresh = \"300ms\"", ""));
        for (long gap : gapsMs(5)) {
            assertTrue(gap >= 280 && gap <= 1_500, "TTL 1 h, max_refresh 300 ms: " + gapsMs(5));
        }
    }

    @Test
    void aFixedRefreshIgnoresTheTtl() throws Exception {
        dns = cleanup.track(FakeDns.start());
        ScriptedBackend a = named("a");
        dns.srvWithAddresses(SRV_NAME, List.of(srv(3600, 0, 1, a, "a.svc.test")), List.of(a("a.svc.test", 3600)));
        start(config("round_robin", "name = \"" + SRV_NAME + "\"\nrefresh = \"200ms\"", ""));
        for (long gap : gapsMs(5)) {
            assertTrue(gap >= 180 && gap <= 1_500, "refresh 200 ms: " + gapsMs(5));
        }
    }

    @Test
    void aAndAaaaRecordsGiveBackendsOnTheConfiguredPort() throws Exception {
        dns = cleanup.track(FakeDns.start());
        ScriptedBackend a = named("a");
        int port = a.address().getPort();
        dns.set("app.svc.test", Type.A, List.of(FakeDns.address("app.svc.test", 5, "127.0.0.1")));
        dns.set("app.svc.test", Type.AAAA, List.of(FakeDns.address("app.svc.test", 5, "::1")));
        Daemon daemon = start(config("round_robin", "name = \"app.svc.test\"\ntype = \"a+aaaa\"\nport = " + port, ""));
        assertEquals(Set.of("127.0.0.1:" + port, "[0:0:0:0:0:0:0:1]:" + port), backends(daemon).keySet());
        daemon.control().call(new Request.Disable("web/[0:0:0:0:0:0:0:1]:" + port, 0L), Caller.signal("test"), 10_000);
        assertEquals(Set.of("a"), sessions(daemon, 5), "the A record's backend serves");
    }

    @Test
    void withActiveChecksADiscoveredBackendIsProbedBeforeItTakesSessions() throws Exception {
        dns = cleanup.track(FakeDns.start());
        ScriptedBackend a = named("a");
        dns.srvWithAddresses(SRV_NAME, List.of(srv(1, 0, 1, a, "a.svc.test")), List.of(a("a.svc.test", 1)));
        Daemon daemon = start(config("round_robin", "name = \"" + SRV_NAME + "\"\nmin_refresh = \"100ms\"",
                "[pool.health]\ntype = \"tcp\"\ninterval = \"100ms\"\ntimeout = \"100ms\"\nrise = 1\nfall = 1\n"));
        Await.until(() -> backend(daemon, target("a.svc.test", a)).healthState() == HealthState.UP, WAIT, "a not up");
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        dns.set(SRV_NAME, Type.SRV, List.of(srv(1, 0, 1, a, "a.svc.test"),
                FakeDns.srv(SRV_NAME, 1, 0, 1, deadPort, "a.svc.test")));
        Await.until(() -> pool(daemon).snapshot().size() == 2, WAIT, "not added");
        Backend dead = backend(daemon, "a.svc.test/127.0.0.1:" + deadPort) != null
                ? backend(daemon, "a.svc.test/127.0.0.1:" + deadPort) : backend(daemon, "a.svc.test:" + deadPort);
        assertEquals(HealthState.DOWN, dead.healthState(), "not used before its first probe");
        assertEquals(Set.of("a"), sessions(daemon, 10));
        Await.until(() -> !dead.awaitingFirstCheck(), WAIT, "never probed");
        assertEquals(HealthState.DOWN, dead.healthState());
        assertFalse(dead.isEligible());
    }

    /**
     * While the record set changes every 200 ms (backends added, drained, removed, added again), 40
     * sessions stream 256 KiB each in small rounds, every byte echoed back and checked by SHA-256:
     * discovery never cuts a session.
     */
    @Test
    void aResolverDownFor30SecondsKeepsTheLastGoodSetServingAndCountsThenRecovers() throws Exception {
        dns = cleanup.track(FakeDns.start());
        ScriptedBackend a = named("a");
        ScriptedBackend b = named("b");
        List<SRVRecord> good = List.of(srv(1, 0, 1, a, "a.svc.test"), srv(1, 0, 1, b, "b.svc.test"));
        dns.srvWithAddresses(SRV_NAME, good, List.of(a("a.svc.test", 1), a("b.svc.test", 1)));
        Daemon daemon = start(config("round_robin", "name = \"" + SRV_NAME + "\"\nmin_refresh = \"200ms\"\n"
                + "max_refresh = \"1s\"\ntimeout = \"200ms\"", ""));
        PoolSnapshot before = pool(daemon).snapshot();
        dns.failure(FakeDns.Failure.SILENT);
        long downNs = System.nanoTime();
        while (System.nanoTime() - downNs < Duration.ofSeconds(30).toNanos()) {
            assertSame(before, pool(daemon).snapshot(), "the last good set is kept");
            assertEquals(Set.of("a", "b"), sessions(daemon, 4), "and serves");
            Thread.sleep(1000); // one check a second through the outage (pacing, not a synchronisation)
        }
        long failures = pool(daemon).discoveryState().failures(DiscoveryFailure.TIMEOUT);
        assertTrue(failures >= 10, "timeouts counted through 30 s: " + failures);
        dns.failure(FakeDns.Failure.NONE);
        Await.until(() -> pool(daemon).discoveryState().failing() == null, WAIT, "did not recover");
        assertSame(before, pool(daemon).snapshot(), "the same answer again: nothing to change");
    }

    @Test
    void sessionsStreamIntactWhileDiscoveryChurns() throws Exception {
        dns = cleanup.track(FakeDns.start());
        List<lb.testing.EchoBackend> echoes = new ArrayList<>();
        List<SRVRecord> records = new ArrayList<>();
        List<Record> addresses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            lb.testing.EchoBackend echo = cleanup.track(lb.testing.EchoBackend.start("e" + i));
            echoes.add(echo);
            records.add(FakeDns.srv(SRV_NAME, 0, 0, 1 + i, echo.address().getPort(), "e" + i + ".svc.test"));
            addresses.add(a("e" + i + ".svc.test", 0));
        }
        dns.srvWithAddresses(SRV_NAME, records, addresses);
        Daemon daemon = start(config("least_conn", "name = \"" + SRV_NAME + "\"\nmin_refresh = \"50ms\"", ""));
        // 100 streams over the whole 30 s of churn (issue 18's figures): 64 chunks each, 450 ms apart.
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(100);
        List<java.util.concurrent.Future<String>> results = new ArrayList<>();
        for (int c = 0; c < 100; c++) {
            long seed = c;
            results.add(clients.submit(() -> {
                byte[] payload = lb.testing.Payload.random(seed, 256 * 1024);
                java.security.MessageDigest echoed = lb.testing.Payload.sha256();
                try (lb.testing.Client client = lb.testing.Client.connect(daemon.listenerAddress("web"))) {
                    for (int off = 0; off < payload.length; off += 4096) {
                        client.send(payload, off, 4096);
                        echoed.update(client.readExactly(4096));
                        Thread.sleep(450); // spread each stream over the churn (pacing, not a synchronisation)
                    }
                }
                return lb.testing.Payload.hex(echoed.digest()).equals(lb.testing.Payload.hex(
                        lb.testing.Payload.sha256(payload))) ? "ok" : "corrupted";
            }));
        }
        int changes = 0;
        long endNs = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() - endNs < 0 || !results.stream().allMatch(java.util.concurrent.Future::isDone)) {
            // Two or three of the four records, a different set each time (load, not synchronisation).
            List<SRVRecord> some = new ArrayList<>(records);
            some.remove(changes % 4);
            if (changes % 3 == 0) {
                some.remove(0);
            }
            dns.set(SRV_NAME, Type.SRV, some);
            changes++;
            Thread.sleep(200);
            if (changes > 200) {
                break; // 40 s of churn at most
            }
        }
        clients.shutdown();
        for (java.util.concurrent.Future<String> r : results) {
            assertEquals("ok", r.get(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertTrue(changes >= 140, changes + " changes (every 200 ms for 30 s)");
        assertTrue(pool(daemon).discoveryState().lookups() >= 40, "lookups kept up");
        long used = echoes.stream().filter(e -> e.accepted() > 0).count();
        assertTrue(used >= 2, "sessions spread over the backends: " + echoes);
    }

    @Test
    void aReloadChangesDiscoveryInProcess() throws Exception {
        dns = cleanup.track(FakeDns.start());
        ScriptedBackend a = named("a");
        ScriptedBackend b = named("b");
        dns.srvWithAddresses(SRV_NAME, List.of(srv(1, 0, 1, a, "a.svc.test")), List.of(a("a.svc.test", 1)));
        dns.srvWithAddresses("_other._tcp.svc.test", List.of(FakeDns.srv("_other._tcp.svc.test", 1, 0, 1,
                b.address().getPort(), "b.svc.test")), List.of(a("b.svc.test", 1)));
        Daemon daemon = start(config("round_robin", "name = \"" + SRV_NAME + "\"\nmin_refresh = \"100ms\"", ""));
        assertEquals(Set.of(target("a.svc.test", a)), backends(daemon).keySet());

        Files.writeString(dir.resolve("lb.toml"), config("round_robin",
                "name = \"_other._tcp.svc.test\"\nmin_refresh = \"100ms\"", ""));
        List<String> changes = daemon.reload();
        assertTrue(changes.contains("pool web: discovery settings changed (looked up again now)"), changes.toString());
        Await.until(() -> backends(daemon).keySet().equals(Set.of(target("b.svc.test", b))), WAIT,
                () -> "did not follow the new name: " + backends(daemon));
        assertEquals(Set.of("b"), sessions(daemon, 5));

        // Discovery off, a static backend instead: the discovered ones leave with the reload.
        Files.writeString(dir.resolve("lb.toml"), config("round_robin", "", "")
                .replace("[pool.discovery]\nresolvers = [\"" + dns.resolver() + "\"]\n",
                        "[[pool.backend]]\nname = \"static-a\"\naddress = \"127.0.0.1:" + a.address().getPort() + "\"\n"));
        daemon.reload();
        assertEquals(Set.of("static-a"), backends(daemon).keySet());
        assertNull(pool(daemon).discovery());
        assertEquals(Set.of("a"), sessions(daemon, 5));
    }
}
