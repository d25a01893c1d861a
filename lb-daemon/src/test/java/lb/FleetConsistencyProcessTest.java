package lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.protocol.Json;
import lb.testing.AdminClient;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.DaemonProcess;
import lb.testing.ScriptedBackend;

/**
 * Test thread only (and a few client threads). Issue 18, a fleet of lb hosts behind ECMP: two daemon
 * processes with the same pools, one listing the backends in another order and running 3 event loops
 * instead of 1, send each of 2,000 clients (each from its own 127.x.y.z address) to the same backend
 * with {@code maglev}, {@code ring_hash} and {@code source_hash} (one listener and pool of each), and
 * {@code explain} answers alike on both, naming the backend the client reached.
 */
class FleetConsistencyProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final List<String> ALGORITHMS = List.of("maglev", "ring_hash", "source_hash");
    private static final String[] NAMES = {"alpha", "bravo", "charlie", "delta"};
    private static final int[] WEIGHTS = {1, 2, 3, 1};
    /** The second host's order of the backends. */
    private static final int[] SHUFFLED = {2, 0, 3, 1};
    private static final int CLIENTS = 2000;
    private static final int EXPLAINED = 300;
    private static final int CLIENT_THREADS = 8;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void twoHostsWithTheBackendsInAnotherOrderAndOtherLoopCountsSendEveryClientToTheSameBackend() throws Exception {
        List<ScriptedBackend> backends = new ArrayList<>();
        for (String name : NAMES) {
            byte[] who = name.getBytes(StandardCharsets.US_ASCII);
            // Says who it is and closes: the client reads the name to the end of the stream.
            backends.add(cleanup.track(ScriptedBackend.start(name,
                    (socket, self) -> socket.getOutputStream().write(who))));
        }
        DaemonProcess first = daemon("first", 1, new int[] {0, 1, 2, 3}, backends);
        DaemonProcess second = daemon("second", 3, SHUFFLED, backends);
        Map<String, InetSocketAddress> firstListeners = listeners(first);
        Map<String, InetSocketAddress> secondListeners = listeners(second);
        first.awaitLine(DaemonProcess.READY_LINE, TIMEOUT);
        second.awaitLine(DaemonProcess.READY_LINE, TIMEOUT);

        ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
        try {
            for (String algorithm : ALGORITHMS) {
                String[] viaFirst = reachedBackends(clients, firstListeners.get(algorithm));
                String[] viaSecond = reachedBackends(clients, secondListeners.get(algorithm));
                Map<String, Integer> counts = new HashMap<>();
                for (int i = 0; i < CLIENTS; i++) {
                    assertEquals(viaFirst[i], viaSecond[i], algorithm + ": client " + client(i).getHostAddress()
                            + " reached another backend through the second host");
                    counts.merge(viaFirst[i], 1, Integer::sum);
                }
                assertEquals(NAMES.length, counts.size(), algorithm + ": every backend has clients " + counts);

                try (AdminClient firstAdmin = new AdminClient(dir.resolve("first.sock"));
                     AdminClient secondAdmin = new AdminClient(dir.resolve("second.sock"))) {
                    for (int i = 0; i < EXPLAINED; i++) {
                        Map<String, Object> fromFirst = explain(firstAdmin, i, algorithm);
                        Map<String, Object> fromSecond = explain(secondAdmin, i, algorithm);
                        String what = algorithm + ": explain " + client(i).getHostAddress();
                        assertNotNull(fromFirst.get("hash"), what + ": " + fromFirst);
                        assertEquals(fromFirst.get("hash"), fromSecond.get("hash"), what + ": the same hash");
                        assertEquals(fromFirst.get("backend"), fromSecond.get("backend"), what + ": the same backend");
                        assertEquals(viaFirst[i], fromFirst.get("backend"), what + ": the backend the client reached");
                    }
                }
            }
        } finally {
            clients.shutdownNow();
        }
        for (ScriptedBackend backend : backends) {
            assertEquals(List.of(), backend.failures(), backend.name());
        }
    }

    /**
     * A host reloaded into a config that renames a backend (same address, new name) places every
     * client as a host started with that config does: before, the reloaded host kept the old name,
     * and with it the old place in the hashing order, and the two disagreed.
     */
    @Test
    void aHostReloadedIntoARenameAgreesWithAHostStartedWithIt() throws Exception {
        List<ScriptedBackend> backends = new ArrayList<>();
        for (String name : NAMES) {
            backends.add(cleanup.track(ScriptedBackend.start(name, (socket, self) -> { })));
        }
        String[] renamed = NAMES.clone();
        renamed[0] = "zulu"; // alpha's server, now last in name order instead of first
        DaemonProcess fresh = daemon("fresh", 1, new int[] {0, 1, 2, 3}, backends, renamed);
        DaemonProcess reloaded = daemon("reloaded", 2, SHUFFLED, backends, NAMES);
        fresh.awaitLine(DaemonProcess.READY_LINE, TIMEOUT);
        reloaded.awaitLine(DaemonProcess.READY_LINE, TIMEOUT);
        config("reloaded", 2, SHUFFLED, backends, renamed);
        try (AdminClient freshAdmin = new AdminClient(dir.resolve("fresh.sock"));
             AdminClient reloadedAdmin = new AdminClient(dir.resolve("reloaded.sock"))) {
            String reload = reloadedAdmin.call("{\"cmd\":\"reload\"}");
            assertTrue(reload.contains("backend alpha renamed zulu"), reload);
            for (String algorithm : ALGORITHMS) {
                Map<String, Integer> counts = new HashMap<>();
                for (int i = 0; i < EXPLAINED; i++) {
                    Map<String, Object> fromFresh = explain(freshAdmin, i, algorithm);
                    Map<String, Object> fromReloaded = explain(reloadedAdmin, i, algorithm);
                    String what = algorithm + ": explain " + client(i).getHostAddress();
                    assertEquals(fromFresh.get("backend"), fromReloaded.get("backend"), what + ": the same backend");
                    counts.merge((String) fromFresh.get("backend"), 1, Integer::sum);
                }
                assertTrue(counts.containsKey("zulu") && !counts.containsKey("alpha"), algorithm + ": " + counts);
            }
        }
    }

    /** A daemon with one listener and pool per algorithm, its backends listed in {@code order}. */
    private DaemonProcess daemon(String name, int workers, int[] order, List<ScriptedBackend> backends)
            throws Exception {
        return daemon(name, workers, order, backends, NAMES);
    }

    /** As above, the backends named {@code names}. */
    private DaemonProcess daemon(String name, int workers, int[] order, List<ScriptedBackend> backends,
                                 String[] names) throws Exception {
        Path config = config(name, workers, order, backends, names);
        return cleanup.track(DaemonProcess.start("--config", config.toString()));
    }

    /** Writes that daemon's config file (again, for a reload). */
    private Path config(String name, int workers, int[] order, List<ScriptedBackend> backends, String[] names)
            throws Exception {
        StringBuilder toml = new StringBuilder("""
                [daemon]
                workers = %d
                admin_socket = "%s"
                """.formatted(workers, dir.resolve(name + ".sock")));
        for (String algorithm : ALGORITHMS) {
            toml.append("""
                    [[listener]]
                    name = "%s"
                    bind = "127.0.0.1:0"
                    pool = "%s"
                    [[pool]]
                    name = "%s"
                    algorithm = "%s"
                    """.formatted(algorithm, algorithm, algorithm, algorithm));
            for (int i : order) {
                toml.append("""
                        [[pool.backend]]
                        name = "%s"
                        address = "127.0.0.1:%d"
                        weight = %d
                        """.formatted(names[i], backends.get(i).address().getPort(), WEIGHTS[i]));
            }
        }
        Path config = dir.resolve(name + ".toml");
        Files.writeString(config, toml);
        return config;
    }

    private static Map<String, InetSocketAddress> listeners(DaemonProcess daemon) throws InterruptedException {
        Map<String, InetSocketAddress> listeners = new HashMap<>();
        for (String algorithm : ALGORITHMS) {
            listeners.put(algorithm, daemon.awaitListener(algorithm, TIMEOUT));
        }
        return listeners;
    }

    /** Client {@code i}'s own source address: 127.1.0.1, 127.1.0.2, ... 127.1.7.250. */
    private static InetAddress client(int i) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {127, 1, (byte) (i / 250), (byte) (i % 250 + 1)});
    }

    /** The name of the backend each client reached through {@code listener}. */
    private static String[] reachedBackends(ExecutorService threads, InetSocketAddress listener) throws Exception {
        List<Future<String>> reached = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            InetAddress from = client(i);
            reached.add(threads.submit(() -> {
                try (Client client = Client.connectFrom(from, listener)) {
                    return new String(client.readToEnd(64), StandardCharsets.US_ASCII);
                }
            }));
        }
        String[] names = new String[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            names[i] = reached.get(i).get();
        }
        return names;
    }

    /** What {@code admin}'s daemon answers to explain for client {@code i} on listener {@code algorithm}. */
    private static Map<String, Object> explain(AdminClient admin, int i, String algorithm) throws Exception {
        return result(admin.call("{\"cmd\":\"explain\",\"client\":\"" + client(i).getHostAddress()
                + "\",\"listener\":\"" + algorithm + "\"}"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> result(String reply) {
        Map<String, Object> envelope = (Map<String, Object>) Json.parse(reply);
        assertTrue(Boolean.TRUE.equals(envelope.get("ok")), reply);
        return (Map<String, Object>) envelope.get("result");
    }
}
