package lb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import lb.protocol.Json;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.DaemonProcess;
import lb.testing.EchoBackend;
import lb.testing.EchoFlows;
import lb.testing.Payload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Test thread only. Admin commands as an operator runs them while the load balancer carries
 * traffic: a real daemon process (one event loop, so picks are deterministic), the real CLI as a
 * process, echo backends on 127.0.0.1 whose accept counts say where each session went, and client
 * sessions whose echoed bytes are checked by SHA-256.
 */
class AdminLoadProcessTest {

    private static final Duration START = Duration.ofSeconds(20);
    private static final Duration CLI_EXIT = Duration.ofSeconds(15);
    private static final int ECHO_BYTES = 16 * 1024;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @TempDir
    Path dir;

    private final List<EchoBackend> backends = new ArrayList<>();
    private DaemonProcess daemon;
    private Path socket;
    private InetSocketAddress listener;
    private long nextSeed = 1;

    /** A client session and the backend it reached. */
    private record Session(Client client, EchoBackend backend) {
    }

    private EchoBackend backend(String name) throws IOException {
        EchoBackend backend = cleanup.track(EchoBackend.start(name));
        backends.add(backend);
        return backend;
    }

    /** Pool "web" on listener "web" with {@code algorithm}, backend i of {@code pool} with {@code weights[i]}. */
    private void startDaemon(String algorithm, List<EchoBackend> pool, int... weights) throws Exception {
        socket = dir.resolve("admin.sock");
        StringBuilder toml = new StringBuilder("""
                [daemon]
                workers = 1
                access_log = false
                shutdown_grace = "0s"
                admin_socket = "%s"
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                algorithm = "%s"
                """.formatted(socket, algorithm));
        for (int i = 0; i < pool.size(); i++) {
            toml.append("""
                    [[pool.backend]]
                    name = "%s"
                    address = "127.0.0.1:%d"
                    weight = %d
                    """.formatted(pool.get(i).name(), pool.get(i).address().getPort(), weights[i]));
        }
        Path config = dir.resolve("lb.toml");
        Files.writeString(config, toml, StandardCharsets.UTF_8);
        daemon = cleanup.track(DaemonProcess.start("--config", config.toString()));
        listener = daemon.awaitListener("web", START);
        daemon.awaitLine(DaemonProcess.READY_LINE, START); // the admin socket answers from here on
    }

    private CliProcess cli(String... args) throws IOException {
        return cleanup.track(CliProcess.start(socket, args));
    }

    /** Runs a CLI command to its end and expects exit code 0. */
    private CliProcess cliOk(String... args) throws Exception {
        CliProcess cli = cli(args);
        assertEquals(0, cli.awaitExit(CLI_EXIT), cli.output());
        return cli;
    }

    /**
     * Opens one session and finds the backend it reached: with one event loop and one session
     * opened at a time, the backend whose accept count moved while its echo came back is the one.
     */
    private Session open() throws IOException {
        int[] before = backends.stream().mapToInt(EchoBackend::accepted).toArray();
        Client client = cleanup.track(Client.connect(listener));
        echo(client, nextSeed++, ECHO_BYTES);
        EchoBackend reached = null;
        for (int i = 0; i < backends.size(); i++) {
            int moved = backends.get(i).accepted() - before[i];
            if (moved == 1 && reached == null) {
                reached = backends.get(i);
            } else if (moved != 0) {
                fail("accept counts moved by more than the one session: " + counts() + daemon.output());
            }
        }
        assertNotNull(reached, "no backend accepted the session");
        return new Session(client, reached);
    }

    /** Opens sessions until {@code count} of them are on {@code target}; returns every session opened. */
    private List<Session> openUntil(EchoBackend target, int count, int maxSessions) throws IOException {
        List<Session> sessions = new ArrayList<>();
        long onTarget = 0;
        while (onTarget < count) {
            assertTrue(sessions.size() < maxSessions, "only " + onTarget + " of " + maxSessions + " sessions reached "
                    + target.name() + ": " + counts());
            Session s = open();
            sessions.add(s);
            onTarget += s.backend() == target ? 1 : 0;
        }
        return sessions;
    }

    private String counts() {
        return backends.stream().map(b -> b.name() + " accepted " + b.accepted() + ", open " + b.open())
                .collect(Collectors.joining("; "));
    }

    private static List<Session> on(List<Session> sessions, EchoBackend backend) {
        return sessions.stream().filter(s -> s.backend() == backend).toList();
    }

    private static long countOn(List<Session> sessions, EchoBackend backend) {
        return sessions.stream().filter(s -> s.backend() == backend).count();
    }

    private static List<Client> clients(List<Session> sessions) {
        return sessions.stream().map(Session::client).toList();
    }

    /** Sends {@code size} seeded bytes and expects exactly them back (compared by SHA-256). */
    private static void echo(Client client, long seed, int size) throws IOException {
        byte[] sent = Payload.random(seed, size);
        client.send(sent);
        byte[] received = client.readExactly(size);
        assertEquals(Payload.hex(Payload.sha256(sent)), Payload.hex(Payload.sha256(received)),
                "echo of " + size + " bytes (seed " + seed + ") differs");
    }

    private void echoAll(List<Session> sessions) throws IOException {
        for (Session s : sessions) {
            echo(s.client(), nextSeed++, ECHO_BYTES);
        }
    }

    /** The names of pool "web"'s backends, from {@code lb-cli --json status}. */
    private List<String> statusBackendNames() throws Exception {
        CliProcess status = cliOk("--json", "status");
        Map<?, ?> reply = (Map<?, ?>) Json.parse(status.stdout().trim());
        Map<?, ?> result = (Map<?, ?>) reply.get("result");
        for (Object pool : (List<?>) result.get("pools")) {
            Map<?, ?> p = (Map<?, ?>) pool;
            if ("web".equals(p.get("name"))) {
                return ((List<?>) p.get("backends")).stream().map(b -> (String) ((Map<?, ?>) b).get("name")).toList();
            }
        }
        throw new AssertionError("no pool \"web\" in " + status.stdout());
    }

    /**
     * Owned by its own thread while running; the test thread gets the clients back after
     * {@link #close()}. Keeps bytes flowing on existing sessions while an admin command runs, so a
     * command that disturbs them (a dropped session, mixed-up bytes) fails the test.
     */
    private static final class Traffic implements AutoCloseable {
        private final List<Client> clients;
        private final Thread thread;
        private final AtomicLong rounds = new AtomicLong();
        private volatile boolean stop;
        private volatile Throwable failure;

        Traffic(List<Client> clients) {
            this.clients = List.copyOf(clients);
            this.thread = new Thread(this::run, "traffic");
            this.thread.setDaemon(true);
            this.thread.start();
        }

        private void run() {
            long seed = 1_000_000;
            try {
                while (!stop) {
                    for (Client c : clients) {
                        echo(c, seed++, 4 * 1024);
                    }
                    rounds.incrementAndGet();
                }
            } catch (Throwable e) {
                failure = e;
            }
        }

        long rounds() {
            return rounds.get();
        }

        /** Waits until at least {@code more} further rounds over every client have completed. */
        void awaitRounds(long more) {
            long target = rounds() + more;
            Await.until(() -> rounds() >= target || failure != null, Duration.ofSeconds(10),
                    () -> "traffic stalled at round " + rounds());
        }

        /** Stops the traffic and fails if any round trip failed. */
        void check() {
            close();
            assertNull(failure, () -> "traffic on existing sessions failed after " + rounds() + " rounds: " + failure);
            assertTrue(rounds() > 0, "no traffic round completed");
        }

        @Override
        public void close() {
            stop = true;
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                throw new AssertionError("traffic thread still running 10 s after stop");
            }
        }
    }

    @Test
    void drainWaitReturnsOnlyWhenItsSessionsEndedWhileNewOnesGoElsewhere() throws Exception {
        EchoBackend web1 = backend("web-1");
        EchoBackend web2 = backend("web-2");
        // Weight 4 for web-2 fills it with 50 sessions while web-1 gets only a dozen.
        startDaemon("weighted_round_robin", List.of(web1, web2), 1, 4);
        List<Session> sessions = openUntil(web2, 50, 100);
        List<Session> onWeb1 = on(sessions, web1);
        List<Session> onWeb2 = on(sessions, web2);
        assertFalse(onWeb1.isEmpty(), counts());
        Traffic traffic = cleanup.track(new Traffic(clients(onWeb1)));

        CliProcess drain = cli("drain", "web/web-2", "--wait");
        // The first progress line comes after the daemon marked web-2 draining.
        drain.awaitStdout(l -> l.startsWith("web/web-2: 50 active session(s)"), 1, START, "of progress with 50 sessions");
        int web1Before = web1.accepted();
        int web2Before = web2.accepted();

        List<EchoFlows.Spec> specs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            specs.add(new EchoFlows.Spec(256 * 1024, 500 + i, 16 * 1024));
        }
        List<EchoFlows.Result> results = EchoFlows.roundTrip(listener, specs, Duration.ofSeconds(20));
        assertEquals("", EchoFlows.failures(results));
        assertEquals(web2Before, web2.accepted(), "a new session reached draining web-2: " + counts());
        assertEquals(web1Before + 20, web1.accepted(), counts());
        echoAll(onWeb2); // draining leaves its open sessions alone
        traffic.awaitRounds(3);

        // A second progress line: the CLI has been waiting a full progress interval with them open.
        drain.awaitStdout(l -> l.startsWith("web/web-2: 50 active session(s)"), 2, START, "of progress with 50 sessions");
        assertTrue(drain.isAlive(), "drain --wait returned with 50 sessions open" + drain.output());
        assertEquals(50, web2.open(), counts());

        for (Session s : onWeb2) {
            s.client().close();
        }
        assertEquals(0, drain.awaitExit(CLI_EXIT), drain.output());
        assertTrue(drain.stdout().contains("web/web-2: draining, weight 4, 0 active session(s), drained\n"),
                drain.output());
        assertEquals(web2Before, web2.accepted(), counts());
        traffic.check();
        echoAll(onWeb1);
        assertEquals(onWeb1.size(), web1.open(), counts());
    }

    @Test
    void drainDeadlineThenCloseResetsTheSessionsLeft() throws Exception {
        EchoBackend web1 = backend("web-1");
        EchoBackend web2 = backend("web-2");
        startDaemon("weighted_round_robin", List.of(web1, web2), 1, 4);
        List<Session> sessions = openUntil(web2, 10, 30);
        List<Session> onWeb1 = on(sessions, web1);
        List<Session> onWeb2 = on(sessions, web2);
        assertFalse(onWeb1.isEmpty(), counts());
        Traffic traffic = cleanup.track(new Traffic(clients(onWeb1)));

        CliProcess drain = cli("drain", "web/web-2", "--wait", "--deadline", "2s", "--then", "close");
        assertEquals(4, drain.awaitExit(CLI_EXIT), "sessions were left at the deadline: exit 4" + drain.output());
        Duration wall = drain.wallTime();
        assertTrue(wall.toMillis() >= 1_800 && wall.toMillis() < 15_000, "drain took " + wall.toMillis() + " ms"
                + drain.output());
        // How many sessions the reply counts as active depends on whether the loop has reset them yet.
        assertTrue(drain.stdout().contains(", deadline reached (then close), 10 closed\n"), drain.output());

        for (Session s : onWeb2) {
            s.client().readTimeout(Duration.ofSeconds(5));
            try {
                s.client().awaitEnd(); // EOF or reset are both an end; data would fail it
            } catch (SocketTimeoutException e) {
                fail("a web-2 session was still open 5 s after drain --then close returned: " + counts());
            }
        }
        Await.until(() -> web2.open() == 0, Duration.ofSeconds(5), () -> "backend side of web-2 still open: "
                + counts());
        traffic.awaitRounds(2);
        traffic.check();
        echoAll(onWeb1);
        assertEquals(onWeb1.size(), web1.open(), counts());
        // Still draining: new sessions keep away from web-2.
        int web2Before = web2.accepted();
        for (int i = 0; i < 4; i++) {
            assertEquals(web1, open().backend(), counts());
        }
        assertEquals(web2Before, web2.accepted(), counts());
    }

    @Test
    void weightChangeUnderLoadSplitsNewSessionsByTheNewWeights() throws Exception {
        EchoBackend web1 = backend("web-1");
        EchoBackend web2 = backend("web-2");
        startDaemon("weighted_round_robin", List.of(web1, web2), 1, 1);
        List<Session> first = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            first.add(open());
        }
        assertEquals(20, countOn(first, web1), counts());
        assertEquals(20, countOn(first, web2), counts());
        Traffic traffic = cleanup.track(new Traffic(clients(first)));
        traffic.awaitRounds(1);

        CliProcess weight = cliOk("weight", "web/web-2", "3");
        assertEquals("web/web-2: active, weight 3, 20 active session(s)\n", weight.stdout(), weight.output());
        List<Session> second = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            second.add(open());
        }
        // Smooth weighted round robin from an even state: 10 rounds of 1:3 on one event loop.
        assertEquals(10, countOn(second, web1), counts());
        assertEquals(30, countOn(second, web2), counts());
        traffic.awaitRounds(2);

        traffic.check();
        echoAll(first);
        echoAll(second);
        assertEquals(30, web1.open(), counts());
        assertEquals(50, web2.open(), counts());
    }

    @Test
    void addThenRemoveUnderLoadWaitsForTheSessionsOfTheRemovedBackend() throws Exception {
        EchoBackend web1 = backend("web-1");
        EchoBackend web2 = backend("web-2");
        startDaemon("round_robin", List.of(web1, web2), 1, 1);
        List<Session> before = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            before.add(open());
        }
        Traffic traffic = cleanup.track(new Traffic(clients(before)));

        EchoBackend web3 = backend("web-3");
        CliProcess add = cliOk("add", "web", "127.0.0.1:" + web3.address().getPort(), "--weight", "1", "--name", "web-3");
        assertEquals("web/web-3: active, weight 1, 0 active session(s)\n", add.stdout(), add.output());
        assertEquals(List.of("web-1", "web-2", "web-3"), statusBackendNames());

        List<Session> opened = openUntil(web3, 5, 20);
        List<Session> onWeb3 = on(opened, web3);
        assertEquals(5, onWeb3.size());
        traffic.awaitRounds(1);

        CliProcess remove = cli("remove", "web/web-3", "--timeout", "30");
        remove.awaitStdout(l -> l.startsWith("web/web-3: 5 active session(s)"), 1, START, "of progress with 5 sessions");
        int web3Before = web3.accepted();
        List<Session> meanwhile = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Session s = open();
            assertNotEquals(web3, s.backend(), "a new session reached web-3 while it was being removed: " + counts());
            meanwhile.add(s);
        }
        echoAll(onWeb3); // removal waits for them, it does not cut them
        remove.awaitStdout(l -> l.startsWith("web/web-3: 5 active session(s)"), 2, START, "of progress with 5 sessions");
        assertTrue(remove.isAlive(), "remove returned with 5 sessions open" + remove.output());
        assertEquals(web3Before, web3.accepted(), counts());

        for (Session s : onWeb3) {
            s.client().close();
        }
        assertEquals(0, remove.awaitExit(CLI_EXIT), remove.output());
        assertTrue(remove.stdout().contains("web/web-3: draining, weight 1, 0 active session(s), drained\n")
                && remove.stdout().endsWith("web/web-3 removed\n"), remove.output());
        assertEquals(List.of("web-1", "web-2"), statusBackendNames());

        traffic.check();
        echoAll(before);
        echoAll(on(opened, web1));
        echoAll(on(opened, web2));
        echoAll(meanwhile);
        assertEquals(0, web3.open(), counts());
        for (int i = 0; i < 4; i++) {
            assertNotEquals(web3, open().backend(), counts());
        }
        assertEquals(web3Before, web3.accepted(), counts());
    }
}
