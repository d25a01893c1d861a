package lb.admin;

import lb.protocol.Json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.Daemon;
import lb.config.Config;
import lb.config.DaemonConfig;
import lb.pool.AdminState;
import lb.pool.Backend;
import lb.testing.AdminClient;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.EchoBackend;
import lb.testing.TestConfigs;

/** drain, undrain, disable, enable and set-weight on a running daemon, through its admin socket. */
class AdminBackendCommandsTest {

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private Daemon daemon;
    private EchoBackend one;
    private EchoBackend two;

    private Path start(String algorithm) throws Exception {
        one = cleanup.track(EchoBackend.start("one"));
        two = cleanup.track(EchoBackend.start("two"));
        Config config = TestConfigs.balancing(one.address(), two.address()).algorithm(algorithm).workers(1).build();
        DaemonConfig d = config.daemon();
        Path socket = dir.resolve("admin.sock");
        daemon = cleanup.track(Daemon.start(new Config(config.source(), new DaemonConfig(d.workers(), d.shutdownGrace(),
                d.accessLog(), d.bufferSize(), d.bufferPoolMax(), socket, null), config.listeners(), config.pools())));
        return socket;
    }

    private String call(Path socket, String request) throws Exception {
        try (AdminClient client = new AdminClient(socket)) {
            return client.call(request);
        }
    }

    private Backend backend(int i) {
        return daemon.pool(TestConfigs.POOL).snapshot().backend(i);
    }

    private List<Client> openSessions(int n) throws Exception {
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Client c = cleanup.track(Client.connect(daemon.listenerAddress(TestConfigs.LISTENER)));
            c.send(new byte[] {(byte) i});
            assertArrayEquals(new byte[] {(byte) i}, c.readExactly(1));
            clients.add(c);
        }
        return clients;
    }

    @Test
    void drainKeepsOpenSessionsAndSendsNewOnesElsewhereUntilUndrained() throws Exception {
        Path socket = start("round_robin");
        List<Client> open = openSessions(4);
        assertEquals(2, backend(1).activeSessions());
        assertEquals("{\"ok\":true,\"result\":{\"target\":\"pool/b2\",\"admin_state\":\"draining\",\"weight\":1,"
                + "\"active_sessions\":2}}", call(socket, "{\"cmd\":\"drain\",\"target\":\"pool/b2\"}"));
        long placed = backend(1).totalSessions();
        openSessions(6);
        assertEquals(placed, backend(1).totalSessions(), "sessions placed on the drained backend");
        for (Client c : open) {
            c.send(new byte[] {42});
            assertArrayEquals(new byte[] {42}, c.readExactly(1), "a session open before the drain still flows");
        }
        assertTrue(call(socket, "{\"cmd\":\"undrain\",\"target\":\"pool/b2\"}").contains("\"admin_state\":\"active\""));
        openSessions(4);
        assertTrue(backend(1).totalSessions() > placed, "undrained: new sessions again");
    }

    @Test
    void disableResetsItsSessionsAndEnableBringsItBack() throws Exception {
        Path socket = start("round_robin");
        List<Client> open = openSessions(4);
        String reply = call(socket, "{\"cmd\":\"disable\",\"target\":\"pool/b1\"}");
        assertTrue(reply.contains("\"admin_state\":\"disabled\"") && reply.contains("\"sessions_closed\":2"), reply);
        assertEquals(AdminState.DISABLED, backend(0).adminState());
        int reset = 0;
        for (Client c : open) {
            c.readTimeout(Duration.ofSeconds(5));
            try {
                c.send(new byte[] {1});
                c.readExactly(1);
            } catch (Exception | AssertionError e) {
                reset++;
            }
        }
        assertEquals(2, reset, "the disabled backend's sessions were closed, the others kept");
        Await.until(() -> backend(0).activeSessions() == 0, Duration.ofSeconds(5), "sessions still counted");
        call(socket, "{\"cmd\":\"enable\",\"target\":\"pool/b1\"}");
        assertEquals(AdminState.ACTIVE, backend(0).adminState());
    }

    @Test
    void setWeightShiftsNewSessionsAtOnce() throws Exception {
        Path socket = start("weighted_round_robin");
        assertTrue(call(socket, "{\"cmd\":\"set-weight\",\"target\":\"pool/b1\",\"weight\":3}")
                .contains("\"weight\":3"));
        long before0 = backend(0).totalSessions();
        long before1 = backend(1).totalSessions();
        for (Client c : openSessions(40)) {
            c.close();
        }
        assertEquals(30, backend(0).totalSessions() - before0, "weight 3 of 4");
        assertEquals(10, backend(1).totalSessions() - before1, "weight 1 of 4");
        call(socket, "{\"cmd\":\"set-weight\",\"target\":\"pool/b1\",\"weight\":0}");
        long after0 = backend(0).totalSessions();
        openSessions(5);
        assertEquals(after0, backend(0).totalSessions(), "weight 0: no new sessions");
    }

    @Test
    void badTargetsAndWeightsAreNamed() throws Exception {
        Path socket = start("round_robin");
        Map<String, String> cases = Map.of(
                "{\"cmd\":\"drain\"}", "missing \\\"target\\\" (pool/backend)",
                "{\"cmd\":\"drain\",\"target\":\"pool\"}", "\\\"pool\\\" is not pool/backend",
                "{\"cmd\":\"drain\",\"target\":\"web/b1\"}", "no pool named \\\"web\\\" (pools: pool)",
                "{\"cmd\":\"drain\",\"target\":\"pool/b9\"}", "no backend named \\\"b9\\\" in pool pool (backends: b1, b2)",
                "{\"cmd\":\"set-weight\",\"target\":\"pool/b1\",\"weight\":1001}",
                "\\\"weight\\\" must be an integer 0..1000, not 1001",
                "{\"cmd\":\"set-weight\",\"target\":\"pool/b1\"}", "\\\"weight\\\" must be an integer 0..1000 (missing)");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String code = c.getValue().startsWith("no ") ? "not_found" : "bad_request";
            assertEquals("{\"ok\":false,\"error\":\"" + c.getValue() + "\",\"code\":\"" + code + "\"}",
                    call(socket, c.getKey()), c.getKey());
        }
    }

    @Test
    void sessionsListsOpenSessionsBoundedAndByBackend() throws Exception {
        Path socket = start("round_robin");
        List<Client> open = openSessions(5);
        open.get(0).send(new byte[100]);
        open.get(0).readExactly(100);
        @SuppressWarnings("unchecked")
        Map<String, Object> all = (Map<String, Object>) ((Map<String, Object>) Json.parse(
                call(socket, "{\"cmd\":\"sessions\",\"limit\":3}"))).get("result");
        assertEquals(5L, all.get("matched"));
        List<?> listed = (List<?>) all.get("sessions");
        assertEquals(3, listed.size(), "bounded by limit");
        for (int i = 1; i < listed.size(); i++) {
            assertTrue((Long) ((Map<?, ?>) listed.get(i - 1)).get("age_ms") >= (Long) ((Map<?, ?>) listed.get(i))
                    .get("age_ms"), "oldest first: " + listed);
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> every = (List<Map<String, Object>>) ((Map<String, Object>) ((Map<String, Object>)
                Json.parse(call(socket, "{\"cmd\":\"sessions\"}"))).get("result")).get("sessions");
        String first = "127.0.0.1:" + open.get(0).socket().getLocalPort();
        Map<String, Object> firstSession = every.stream().filter(m -> first.equals(m.get("client"))).findFirst()
                .orElseThrow(() -> new AssertionError(first + " not listed: " + every));
        assertEquals(101L, firstSession.get("up"));
        assertEquals(101L, firstSession.get("down"));
        assertEquals("pool/b1", firstSession.get("backend"));
        @SuppressWarnings("unchecked")
        Map<String, Object> onB2 = (Map<String, Object>) ((Map<String, Object>) Json.parse(
                call(socket, "{\"cmd\":\"sessions\",\"target\":\"pool/b2\"}"))).get("result");
        assertEquals(2L, onB2.get("matched"));
        assertEquals("{\"ok\":false,\"error\":\"\\\"limit\\\" must be an integer 1..10000, not 0\",\"code\":\"bad_request\"}",
                call(socket, "{\"cmd\":\"sessions\",\"limit\":0}"));
    }

    @Test
    void drainWaitRepliesOnceTheBackendsSessionsHaveEndedWithProgressMeanwhile() throws Exception {
        Path socket = start("round_robin");
        List<Client> open = openSessions(4); // b1 gets sessions 0 and 2, b2 gets 1 and 3
        try (AdminClient admin = cleanup.track(new AdminClient(socket))) {
            String progress = admin.call("{\"cmd\":\"drain\",\"target\":\"pool/b2\",\"wait\":true}");
            assertTrue(progress.startsWith("{\"ok\":true,\"progress\":{\"target\":\"pool/b2\",\"active_sessions\":2,"),
                    progress);
            long placed = backend(1).totalSessions();
            openSessions(2);
            assertEquals(placed, backend(1).totalSessions(), "no new session reaches a draining backend");
            open.get(1).close();
            open.get(3).close();
            String last;
            do {
                last = admin.readLine();
            } while (last.contains("\"progress\""));
            assertTrue(last.startsWith("{\"ok\":true,\"result\":{\"target\":\"pool/b2\",\"admin_state\":\"draining\"")
                    && last.contains("\"active_sessions\":0") && last.contains("\"drained\":true"), last);
            assertTrue(admin.call("{\"cmd\":\"version\"}").startsWith("{\"ok\":true"), "the connection goes on");
        }
        for (int i : new int[] {0, 2}) {
            open.get(i).send(new byte[] {9});
            assertArrayEquals(new byte[] {9}, open.get(i).readExactly(1), "sessions on the other backend unaffected");
        }
    }

    @Test
    void drainWaitDeadlineThenCloseResetsWhatIsLeft() throws Exception {
        Path socket = start("round_robin");
        List<Client> open = openSessions(4);
        long startNs = System.nanoTime();
        String last;
        try (AdminClient admin = cleanup.track(new AdminClient(socket))) {
            last = admin.call("{\"cmd\":\"drain\",\"target\":\"pool/b2\",\"wait\":true,\"deadline_ms\":300,"
                    + "\"then\":\"close\"}");
            while (last.contains("\"progress\"")) {
                last = admin.readLine();
            }
        }
        long ms = (System.nanoTime() - startNs) / 1_000_000;
        assertTrue(ms >= 300 && ms < 3_000, "final reply after " + ms + " ms");
        assertTrue(last.contains("\"drained\":false") && last.contains("\"then\":\"close\"")
                && last.contains("\"sessions_closed\":2"), last);
        for (int i : new int[] {1, 3}) {
            Client c = open.get(i);
            c.readTimeout(Duration.ofSeconds(5));
            assertEquals(Client.End.RESET, c.awaitEnd(), "session " + i + " on the drained backend was reset");
        }
        assertEquals("{\"ok\":false,\"error\":\"\\\"deadline_ms\\\" and \\\"then\\\" need \\\"wait\\\": true\",\"code\":\"bad_request\"}",
                call(socket, "{\"cmd\":\"drain\",\"target\":\"pool/b1\",\"then\":\"close\"}"));
        assertEquals("{\"ok\":false,\"error\":\"\\\"then\\\" must be \\\"keep\\\", \\\"close\\\" or \\\"remove\\\", not "
                + "\\\"drop\\\"\",\"code\":\"bad_request\"}",
                call(socket, "{\"cmd\":\"drain\",\"target\":\"pool/b1\",\"wait\":true,\"then\":\"drop\"}"));
    }

    @Test
    void drainWaitDeadlineThenRemoveResetsItsSessionsLeftAndTakesTheBackendOut() throws Exception {
        Path socket = start("round_robin");
        List<Client> open = openSessions(4);
        String last;
        try (AdminClient admin = cleanup.track(new AdminClient(socket))) {
            last = admin.call("{\"cmd\":\"drain\",\"target\":\"pool/b2\",\"wait\":true,\"deadline_ms\":300,"
                    + "\"then\":\"remove\"}");
            while (last.contains("\"progress\"")) {
                last = admin.readLine();
            }
        }
        assertTrue(last.contains("\"removed\":true") && last.contains("\"drained\":false")
                && last.contains("\"then\":\"remove\"") && last.contains("\"sessions_closed\":2"), last);
        assertFalse(call(socket, "{\"cmd\":\"status\"}").contains("\"name\":\"b2\""), "b2 left the pool");
        int continued = 0;
        int reset = 0;
        for (int i = 0; i < 4; i++) {
            byte[] ping = ("still here " + i).getBytes(StandardCharsets.US_ASCII);
            try {
                open.get(i).send(ping);
                assertArrayEquals(ping, open.get(i).readExactly(ping.length), "session " + i + " continues");
                continued++;
            } catch (java.io.IOException e) {
                reset++; // b2's: no session outlives its backend's removal
            }
        }
        assertEquals(2, continued, "b1's sessions go on");
        assertEquals(2, reset, "b2's sessions were reset before it left");
        openSessions(4);
        assertEquals(2 + 4, one.accepted(), "new sessions go to b1, the only backend left");
        assertEquals(2, two.accepted());
    }

    @Test
    void addedBackendTakesSessionsAndARemovedOneNoneOnceItsSessionsEnded() throws Exception {
        Path socket = start("round_robin");
        EchoBackend three = cleanup.track(EchoBackend.start("three"));
        String added = call(socket, "{\"cmd\":\"add-backend\",\"pool\":\"pool\",\"address\":\"127.0.0.1:"
                + three.address().getPort() + "\",\"name\":\"b3\",\"weight\":2}");
        assertEquals("{\"ok\":true,\"result\":{\"target\":\"pool/b3\",\"admin_state\":\"active\",\"weight\":2,"
                + "\"active_sessions\":0}}", added);
        List<Client> open = openSessions(6);
        assertEquals(2, three.accepted(), "round robin over three backends: two of six sessions");
        assertTrue(call(socket, "{\"cmd\":\"add-backend\",\"pool\":\"pool\",\"address\":\"127.0.0.1:"
                + three.address().getPort() + "\"}").contains("already has backend b3 at that address"));

        try (AdminClient admin = cleanup.track(new AdminClient(socket))) {
            String line = admin.call("{\"cmd\":\"remove-backend\",\"target\":\"pool/b3\"}");
            assertTrue(line.contains("\"progress\"") && line.contains("\"active_sessions\":2"), line);
            long before = three.accepted();
            openSessions(3);
            assertEquals(before, three.accepted(), "a backend being removed takes no new session");
            open.get(2).close();
            open.get(5).close();
            do {
                line = admin.readLine();
            } while (line.contains("\"progress\""));
            assertTrue(line.contains("\"removed\":true") && line.contains("\"drained\":true"), line);
        }
        assertEquals(2, daemon.pool(TestConfigs.POOL).snapshot().size(), "b3 is out of the pool");
        assertTrue(!call(socket, "{\"cmd\":\"status\"}").contains("\"b3\""), "status no longer lists b3");
        long accepted = three.accepted();
        openSessions(4);
        assertEquals(accepted, three.accepted(), "no session reaches a removed backend");
    }

    @Test
    void removeBackendTimeoutResetsWhatIsLeftAndRemovesIt() throws Exception {
        Path socket = start("round_robin");
        List<Client> open = openSessions(2);
        String line;
        try (AdminClient admin = cleanup.track(new AdminClient(socket))) {
            line = admin.call("{\"cmd\":\"remove-backend\",\"target\":\"pool/b2\",\"timeout_ms\":200}");
            while (line.contains("\"progress\"")) {
                line = admin.readLine();
            }
        }
        assertTrue(line.contains("\"removed\":true") && line.contains("\"sessions_closed\":1"), line);
        open.get(1).readTimeout(Duration.ofSeconds(5));
        assertEquals(Client.End.RESET, open.get(1).awaitEnd(), "the session left on the removed backend");
        assertEquals(1, daemon.pool(TestConfigs.POOL).snapshot().size());
    }

    @Test
    void explainNamesTheBackendARealSessionFromThatClientGets() throws Exception {
        Path socket = start("maglev");
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) ((Map<String, Object>) Json.parse(
                call(socket, "{\"cmd\":\"explain\",\"client\":\"127.0.0.1\"}"))).get("result");
        assertEquals(true, r.get("deterministic"), r.toString());
        assertEquals("client_ip", r.get("hash_key"));
        assertTrue((Long) r.get("table_slot") >= 0 && (Long) r.get("table_slot") < 65537, r.toString());
        String explained = (String) r.get("backend");
        openSessions(3);
        Backend expected = explained.equals("b1") ? backend(0) : backend(1);
        assertEquals(3, expected.totalSessions(), "sessions from 127.0.0.1 went to " + explained + " as explained");

        call(socket, "{\"cmd\":\"drain\",\"target\":\"pool/" + explained + "\"}");
        String after = call(socket, "{\"cmd\":\"explain\",\"client\":\"127.0.0.1:5000\"}");
        assertTrue(after.contains("\"ineligible\":[\"" + explained + " (draining)\"]")
                && !after.contains("\"backend\":\"" + explained + "\""), after);
        assertEquals("{\"ok\":false,\"error\":\"\\\"example.com\\\" is not an IP address (optionally :port)\",\"code\":\"bad_request\"}",
                call(socket, "{\"cmd\":\"explain\",\"client\":\"example.com\"}"));
    }

    @Test
    void explainSaysRoundRobinDoesNotMapClients() throws Exception {
        Path socket = start("round_robin");
        String r = call(socket, "{\"cmd\":\"explain\",\"client\":\"2001:db8::7\"}");
        assertTrue(r.contains("\"deterministic\":false"), r);
    }

    @Test
    void disableWithAGraceLetsSessionsEndFirstThenResetsTheRest() throws Exception {
        Path socket = start("round_robin");
        List<Client> open = openSessions(4); // b1: 0 and 2
        String last;
        long startNs = System.nanoTime();
        try (AdminClient admin = cleanup.track(new AdminClient(socket))) {
            last = admin.call("{\"cmd\":\"disable\",\"target\":\"pool/b1\",\"grace_ms\":400}");
            open.get(0).close(); // one ends by itself within the grace
            while (last.contains("\"progress\"")) {
                last = admin.readLine();
            }
        }
        long ms = (System.nanoTime() - startNs) / 1_000_000;
        assertTrue(ms >= 400, "reply after " + ms + " ms, before the grace ran out");
        assertTrue(last.contains("\"admin_state\":\"disabled\"") && last.contains("\"sessions_closed\":1"), last);
        open.get(2).readTimeout(Duration.ofSeconds(5));
        assertEquals(Client.End.RESET, open.get(2).awaitEnd(), "the session left after the grace");
    }

    @Test
    void removeCompletesEvenIfTheClientGoesAway() throws Exception {
        Path socket = start("round_robin");
        List<Client> open = openSessions(2); // one on b2
        try (AdminClient admin = new AdminClient(socket)) {
            String line = admin.call("{\"cmd\":\"remove-backend\",\"target\":\"pool/b2\"}");
            assertTrue(line.contains("\"progress\""), line);
        } // the operator's lb-cli is killed
        open.get(1).close();
        Await.until(() -> daemon.pool(TestConfigs.POOL).snapshot().size() == 1, Duration.ofSeconds(5),
                "b2 was not removed after its last session ended");
    }
}
