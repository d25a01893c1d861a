package lb.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.pool.Backend;
import lb.testing.Cleanup;
import lb.testing.Await;
import lb.testing.Client;
import lb.testing.EchoBackend;
import lb.testing.EchoFlows;
import lb.testing.ScriptedBackend;
import lb.testing.TestConfigs;

/** Bytes go through the daemon unchanged, whatever the sizes, chunking and concurrency; round robin cycles. */
class RelayIntegrityTest {

    /** Fixed so a failure can be replayed; override with -Dlb.test.seed=N to explore. */
    private static final long SEED = Long.getLong("lb.test.seed", 0x1B_5EED_2026L);
    private static final int SESSIONS = 500;
    private static final long MAX_PAYLOAD = 4L * 1024 * 1024;
    private static final long SMALL_PAYLOAD = 256L * 1024;
    /** Total bytes sent, bounding the run time on a 2-core machine. */
    private static final long TOTAL_BUDGET = 160L * 1024 * 1024;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @Test
    void everySessionRoundTripsItsPayloadIntact() throws Exception {
        List<EchoBackend> backends = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            EchoBackend backend = cleanup.track(EchoBackend.start("echo-" + i));
            backends.add(backend);
            addresses.add(backend.address());
        }
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(addresses).workers(2).build()));
        List<EchoFlows.Spec> specs = specs(SEED);
        long total = specs.stream().mapToLong(EchoFlows.Spec::size).sum();
        String replay = "seed " + SEED + " (replay with -Dlb.test.seed=" + SEED + "), " + SESSIONS + " sessions, "
                + total + " bytes";

        try (EchoFlows flows = EchoFlows.connect(daemon.listenerAddress(TestConfigs.LISTENER), specs, Duration.ofSeconds(10))) {
            assertEquals(SESSIONS, flows.connected(), "connections established; " + replay);
            // All sessions are open at once before any byte moves: this is a concurrency test.
            Await.until(() -> daemon.activeSessions() == SESSIONS, Duration.ofSeconds(10),
                    () -> "daemon sessions " + daemon.activeSessions() + ", expected " + SESSIONS + "; " + replay);
            List<EchoFlows.Result> results = flows.run(Duration.ofSeconds(60));
            String failures = EchoFlows.failures(results);
            assertTrue(failures.isEmpty(), replay + ": " + failures);
        }

        long placed = 0;
        for (Backend backend : daemon.pool(TestConfigs.POOL).snapshot().backends()) {
            placed += backend.totalSessions();
            assertEquals(0, backend.connectFailures(), backend + " connect failures; " + replay);
        }
        assertEquals(SESSIONS, placed, "sessions placed on backends; " + replay);
        assertEquals(SESSIONS, backends.stream().mapToInt(EchoBackend::accepted).sum(),
                "connections the backends accepted; " + replay);
        // Each loop cycles through the backends on its own, so each backend is within one session
        // per loop of an even share.
        for (EchoBackend backend : backends) {
            double share = (double) SESSIONS / backends.size();
            assertTrue(Math.abs(backend.accepted() - share) <= 2, backend + " accepted " + backend.accepted()
                    + " of " + SESSIONS + " sessions, expected " + share + " ± 2 (round robin); " + replay);
        }
        Await.until(() -> daemon.activeSessions() == 0 && daemon.pooledBytesInUse() == 0, Duration.ofSeconds(5),
                () -> "after all flows ended: active sessions " + daemon.activeSessions() + ", pooled bytes in use "
                        + daemon.pooledBytesInUse() + "; " + replay);
    }

    /** Mostly small payloads, one in ten up to 4 MiB, random chunk sizes; the total stays within budget. */
    private static List<EchoFlows.Spec> specs(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<EchoFlows.Spec> specs = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < SESSIONS; i++) {
            long size = random.nextInt(10) == 0 ? random.nextLong(MAX_PAYLOAD + 1) : random.nextLong(SMALL_PAYLOAD + 1);
            if (total + size > TOTAL_BUDGET) {
                size = random.nextLong(16 * 1024);
            }
            total += size;
            int maxChunk = random.nextInt(4) == 0 ? 1 + random.nextInt(512) : 1 + random.nextInt(128 * 1024);
            specs.add(new EchoFlows.Spec(size, random.nextLong(), maxChunk));
        }
        return specs;
    }

    @Test
    void roundRobinOnOneLoopVisitsBackendsInCyclicOrder() throws Exception {
        List<String> names = List.of("b1", "b2", "b3");
        List<ScriptedBackend> backends = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String name : names) {
            ScriptedBackend backend = cleanup.track(ScriptedBackend.start(name, (socket, self) -> {
                socket.getOutputStream().write(name.getBytes(StandardCharsets.US_ASCII));
                socket.shutdownOutput();
                // Wait for the client's end so the session completes cleanly on both sides.
                while (socket.getInputStream().read() >= 0) {
                    // discard
                }
            }));
            backends.add(backend);
            addresses.add(backend.address());
        }
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(addresses).workers(1).build()));
        InetSocketAddress listener = daemon.listenerAddress(TestConfigs.LISTENER);

        List<String> answered = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            try (Client client = Client.connect(listener)) {
                client.shutdownOutput();
                answered.add(new String(client.readToEnd(64), StandardCharsets.US_ASCII));
            }
        }

        int start = names.indexOf(answered.get(0));
        assertTrue(start >= 0, "first answer " + answered.get(0) + " is not a backend id");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            expected.add(names.get((start + i) % names.size()));
        }
        assertEquals(expected, answered, "backends in the order the sessions reached them");
        for (Backend backend : daemon.pool(TestConfigs.POOL).snapshot().backends()) {
            assertEquals(10, backend.totalSessions(), backend + " sessions");
        }
        for (ScriptedBackend backend : backends) {
            assertEquals(10, backend.accepted(), backend + " accepted connections");
            assertEquals(List.of(), backend.failures(), backend + " script failures");
        }
    }
}
