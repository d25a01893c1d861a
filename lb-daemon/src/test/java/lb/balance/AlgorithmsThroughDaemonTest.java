package lb.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import lb.Daemon;
import lb.config.Algorithm;
import lb.config.BalancerOptions;
import lb.config.HashKey;
import lb.pool.Backend;
import lb.pool.HealthState;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.ScriptedBackend;
import lb.testing.TestConfigs;

/**
 * Every algorithm, selected by name in the pool config, places real sessions through a running
 * daemon: the spreading ones use every backend, the hashing ones keep a client on one backend
 * (and spread when the key includes the port).
 */
class AlgorithmsThroughDaemonTest {

    private static final List<String> HASHING = List.of("bounded_load", "maglev", "ring_hash", "source_hash");
    private static final List<String> CYCLIC = List.of("least_conn", "round_robin", "weighted_round_robin");
    private static final int SESSIONS = 45;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    static Stream<String> algorithms() {
        return Algorithm.names().stream();
    }

    static Stream<String> hashing() {
        return HASHING.stream();
    }

    /** Starts three backends that answer with their name, and a one-loop daemon over them. */
    private Daemon start(String algorithm, BalancerOptions options) throws Exception {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String name : List.of("one", "two", "three")) {
            ScriptedBackend backend = cleanup.track(ScriptedBackend.start(name, (socket, self) -> {
                socket.getOutputStream().write(name.getBytes(StandardCharsets.US_ASCII));
                socket.shutdownOutput();
                while (socket.getInputStream().read() >= 0) {
                    // until the client's end, so the session completes on both sides
                }
            }));
            addresses.add(backend.address());
        }
        return cleanup.track(Daemon.start(TestConfigs.balancing(addresses).algorithm(algorithm)
                .balancerOptions(options).workers(1).build()));
    }

    /** Runs sessions one after another (each fully ended before the next) and counts who answered. */
    private static Map<String, Integer> answers(Daemon daemon) throws Exception {
        InetSocketAddress listener = daemon.listenerAddress(TestConfigs.LISTENER);
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < SESSIONS; i++) {
            try (Client client = Client.connect(listener)) {
                client.shutdownOutput();
                String name = new String(client.readToEnd(64), StandardCharsets.US_ASCII);
                counts.merge(name, 1, Integer::sum);
            }
            // Load-aware algorithms then see every backend idle, which makes their choice checkable.
            Await.until(() -> daemon.activeSessions() == 0, Duration.ofSeconds(5), "a session still open");
        }
        return counts;
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void algorithmPlacesRealSessions(String algorithm) throws Exception {
        Daemon daemon = start(algorithm, BalancerOptions.DEFAULTS);
        Map<String, Integer> counts = answers(daemon);

        assertEquals(SESSIONS, counts.values().stream().mapToInt(Integer::intValue).sum(), "answered: " + counts);
        if (HASHING.contains(algorithm)) {
            assertEquals(1, counts.size(), "one client IP, hash_key client_ip: one backend; got " + counts);
        } else if (CYCLIC.contains(algorithm)) {
            assertEquals(Map.of("one", 15, "three", 15, "two", 15), counts, "equal weights, idle backends: in turn");
        } else {
            assertEquals(3, counts.size(), "every backend used over " + SESSIONS + " sessions: " + counts);
        }
    }

    @ParameterizedTest
    @MethodSource("hashing")
    void hashingOnIpAndPortSpreadsOneClientsConnections(String algorithm) throws Exception {
        Daemon daemon = start(algorithm, BalancerOptions.DEFAULTS.withHashKey(HashKey.CLIENT_IP_PORT));
        Map<String, Integer> counts = answers(daemon);
        assertTrue(counts.size() >= 2, "source ports differ, so sessions spread: " + counts);
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void withEveryBackendIneligibleTheClientIsClosedCleanly(String algorithm) throws Exception {
        Daemon daemon = start(algorithm, BalancerOptions.DEFAULTS);
        for (Backend backend : daemon.pool(TestConfigs.POOL).snapshot().backends()) {
            backend.healthState(HealthState.DOWN);
        }
        try (Client client = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
            client.readTimeout(Duration.ofSeconds(5));
            assertEquals(Client.End.EOF, client.awaitEnd(), "no backend: the client gets a FIN, not a reset");
        }
        Await.until(() -> daemon.activeSessions() == 0, Duration.ofSeconds(5), "the refused session is still counted");
        for (Backend backend : daemon.pool(TestConfigs.POOL).snapshot().backends()) {
            assertEquals(0, backend.totalSessions(), backend + " got a session while down");
            backend.healthState(HealthState.UP);
        }
        assertEquals(SESSIONS, answers(daemon).values().stream().mapToInt(Integer::intValue).sum(),
                "sessions served once the backends are back");
    }
}
