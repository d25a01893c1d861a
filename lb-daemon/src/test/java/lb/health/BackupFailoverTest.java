package lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.config.ConfigLoader;
import lb.control.Caller;
import lb.pool.Backend;
import lb.pool.HealthState;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.ScriptedBackend;

/**
 * Backup tiers end to end: a daemon over two primaries and one backup, real backends that answer a
 * session with their name and a health probe with OK or NO as the test says, active checks and the
 * control plane changing which backends are eligible. Primaries up: no session reaches the backup;
 * every primary down, drained or disabled: the backup takes them; a primary back: new sessions go
 * to it again.
 */
class BackupFailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final long CALL_MS = 10_000;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private final Map<String, AtomicBoolean> healthy = new HashMap<>();

    /** Answers "HEALTH" with OK or NO as {@link #healthy} says, anything else with its name; then closes. */
    private ScriptedBackend backend(String name) throws Exception {
        AtomicBoolean up = new AtomicBoolean(true);
        healthy.put(name, up);
        return cleanup.track(ScriptedBackend.start(name, (Socket socket, ScriptedBackend self) -> {
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            String answer = "HEALTH".equals(line) ? (up.get() ? "OK" : "NO") : name;
            socket.getOutputStream().write((answer + "\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }));
    }

    /** The names of the backends {@code n} new sessions reached. */
    private static Set<String> sessions(Daemon daemon, int n) throws Exception {
        Set<String> names = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            try (Client c = Client.connect(daemon.listenerAddress("web"))) {
                c.send("who\n".getBytes(StandardCharsets.US_ASCII));
                names.add(new String(c.readToEnd(100), StandardCharsets.US_ASCII).trim());
            }
        }
        return names;
    }

    private static Backend backend(Daemon daemon, String name) {
        return daemon.pool("web").snapshot().backends().stream().filter(b -> b.name().equals(name)).findFirst()
                .orElseThrow();
    }

    private static void await(Daemon daemon, String name, HealthState state) {
        Backend b = backend(daemon, name);
        Await.until(() -> b.healthState() == state, WAIT, () -> b + " is not " + state);
    }

    private static Reply call(Daemon daemon, Request request) {
        return daemon.control().call(request, Caller.signal("test"), CALL_MS);
    }

    private static Reply.PoolStatus status(Daemon daemon) {
        return ((Reply.Status) call(daemon, new Request.Status())).pools().get(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"round_robin", "least_conn", "maglev"})
    void backupTakesSessionsOnlyWhileNoPrimaryCan(String algorithm) throws Exception {
        ScriptedBackend p1 = backend("p1");
        ScriptedBackend p2 = backend("p2");
        ScriptedBackend s1 = backend("s1");
        // fall = 3: a probe slowed by a loaded machine does not flip a healthy primary.
        Daemon daemon = cleanup.track(Daemon.start(ConfigLoader.parse("""
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
                [pool.health]
                type = "send_expect"
                interval = "100ms"
                timeout = "100ms"
                rise = 1
                fall = 3
                send = 'HEALTH\\n'
                expect = "OK"
                [[pool.backend]]
                name = "p1"
                address = "127.0.0.1:%d"
                [[pool.backend]]
                name = "p2"
                address = "127.0.0.1:%d"
                [[pool.backend]]
                name = "s1"
                address = "127.0.0.1:%d"
                backup = true
                """.formatted(algorithm, p1.address().getPort(), p2.address().getPort(), s1.address().getPort()),
                java.util.Optional.empty())));
        for (String name : List.of("p1", "p2", "s1")) {
            await(daemon, name, HealthState.UP);
        }
        Set<String> reached = sessions(daemon, 40);
        assertTrue(Set.of("p1", "p2").containsAll(reached), "primaries up: " + reached);
        Reply.PoolStatus status = status(daemon);
        assertEquals("0", status.servingTier());
        assertEquals(List.of("0", "0", "backup"), status.backends().stream().map(Reply.BackendStatus::tier).toList());

        // Every primary down (active checks): the backup.
        healthy.get("p1").set(false);
        healthy.get("p2").set(false);
        await(daemon, "p1", HealthState.DOWN);
        await(daemon, "p2", HealthState.DOWN);
        assertEquals(Set.of("s1"), sessions(daemon, 20), "no primary up");
        assertEquals("backup", status(daemon).servingTier());
        if (algorithm.equals("maglev")) {
            Reply.Explain explain = (Reply.Explain) call(daemon, new Request.Explain("10.1.2.3", "web", null));
            assertEquals("s1", explain.backend());
            assertEquals("backup", explain.tier());
            assertTrue(explain.tierNote().contains("no backend of tier 0 is eligible"), explain.tierNote());
        }

        // One primary back: every new session goes to it.
        healthy.get("p1").set(true);
        await(daemon, "p1", HealthState.UP);
        assertEquals(Set.of("p1"), sessions(daemon, 20), "p1 is back");

        // The control plane: p1 drained while p2 is down, the backup again; p2 back, then disabled.
        call(daemon, new Request.Drain("web/p1", false, null, Request.Drain.Then.KEEP));
        assertEquals(Set.of("s1"), sessions(daemon, 20), "p1 draining, p2 down");
        healthy.get("p2").set(true);
        await(daemon, "p2", HealthState.UP);
        assertEquals(Set.of("p2"), sessions(daemon, 20), "p2 is back");
        call(daemon, new Request.Disable("web/p2", 0L));
        assertEquals(Set.of("s1"), sessions(daemon, 20), "p1 draining, p2 disabled");
        call(daemon, new Request.Undrain("web/p1"));
        call(daemon, new Request.Enable("web/p2"));
        reached = sessions(daemon, 40);
        assertTrue(Set.of("p1", "p2").containsAll(reached), "both primaries back: " + reached);
        assertEquals("0", status(daemon).servingTier());
    }
}
