package lb.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.protocol.Json;
import lb.state.RuntimeChange;
import lb.state.StateFile;
import lb.testing.AdminClient;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.DaemonProcess;

/**
 * Test thread and four admin client threads. A daemon process takes 200 weight changes, drains and
 * undrains from 4 concurrent admin clients while 20 SIGHUP reloads of a changing file come in: the
 * control thread's audit log is a serial history (every line's "before" is what the lines before it
 * left), and the final pools and the state file equal that history applied in order: nothing lost.
 */
class ControlOrderProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern AUDIT = Pattern.compile("audit #(\\d+) (\\S+) (\\S+) (.*) by (.*)$");
    private static final int CLIENTS = 4;
    private static final int OPS_PER_CLIENT = 50;
    private static final int RELOADS = 20;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private String config(int weightOfC) {
        return """
                [daemon]
                workers = 1
                access_log = false
                admin_socket = "%s"
                state_file = "%s"
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                algorithm = "weighted_round_robin"
                [[pool.backend]]
                name = "a"
                address = "127.0.0.1:1"
                [[pool.backend]]
                name = "b"
                address = "127.0.0.1:2"
                [[pool.backend]]
                name = "c"
                address = "127.0.0.1:3"
                weight = %d
                """.formatted(dir.resolve("admin.sock"), dir.resolve("state.json"), weightOfC);
    }

    /** One backend's state in the serial model. */
    private static final class Model {
        long weight = 1;
        String adminState = "active";
    }

    @Test
    void concurrentChangesAndSighupReloadsEqualTheirSerialApplicationInAuditOrder() throws Exception {
        Path file = dir.resolve("lb.toml");
        Files.writeString(file, config(1));
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--config", file.toString()));
        daemon.awaitLine(DaemonProcess.READY_LINE, WAIT);
        Path socket = dir.resolve("admin.sock");

        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
        try {
            List<Future<Integer>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                long seed = 7919L * (c + 1);
                clients.add(pool.submit(() -> runClient(socket, seed)));
            }
            Future<Integer> reloads = pool.submit(() -> {
                for (int r = 1; r <= RELOADS; r++) {
                    Files.writeString(file, config(1 + r)); // reload r reads c's weight 1 + r
                    int before = auditLines(daemon, "reload").size();
                    new ProcessBuilder("kill", "-HUP", Long.toString(daemon.process().pid())).start().waitFor();
                    Await.until(() -> auditLines(daemon, "reload").size() > before, WAIT, "reload " + r + " audited");
                }
                return RELOADS;
            });
            for (Future<Integer> client : clients) {
                assertEquals(OPS_PER_CLIENT, client.get(2, TimeUnit.MINUTES), "every request of a client answered ok");
            }
            assertEquals(RELOADS, reloads.get(2, TimeUnit.MINUTES));
        } finally {
            pool.shutdownNow();
        }

        // Replay the audit log in its order; each line must start from what the previous lines left.
        List<Matcher> audit = auditLines(daemon, null);
        Map<String, Model> model = new HashMap<>();
        for (String b : List.of("a", "b", "c")) {
            model.put(b, new Model());
        }
        int admin = 0;
        int reloadsSeen = 0;
        int reloadsAmidChanges = 0;
        long last = 0;
        for (Matcher line : audit) {
            long n = Long.parseLong(line.group(1));
            assertEquals(last + 1, n, "audit lines are numbered without gaps");
            last = n;
            String cmd = line.group(2);
            String change = line.group(4);
            if (cmd.equals("reload")) {
                reloadsSeen++;
                reloadsAmidChanges += admin > 0 && admin < CLIENTS * OPS_PER_CLIENT ? 1 : 0;
                assertTrue(line.group(5).equals("signal SIGHUP"), line.group(0));
                model.get("c").weight = 1 + reloadsSeen;
                continue;
            }
            admin++;
            Model b = model.get(line.group(3).substring("web/".length()));
            if (cmd.equals("set-weight")) {
                Matcher m = Pattern.compile("weight (\\d+) -> (\\d+)").matcher(change);
                assertTrue(m.matches(), change);
                assertEquals(b.weight, Long.parseLong(m.group(1)), "serial history: " + line.group(0));
                b.weight = Long.parseLong(m.group(2));
            } else {
                Matcher m = Pattern.compile("admin_state (\\w+) -> (\\w+)").matcher(change);
                assertTrue(m.matches(), change);
                assertEquals(b.adminState, m.group(1), "serial history: " + line.group(0));
                b.adminState = m.group(2);
            }
            assertTrue(line.group(5).matches("uid=\\d+ \\(\\S+\\) pid=\\d+"), "who asked: " + line.group(0));
        }
        assertEquals(CLIENTS * OPS_PER_CLIENT, admin, "every change audited once");
        assertEquals(RELOADS, reloadsSeen);
        assertTrue(reloadsAmidChanges > 0, "the reloads interleaved with the admin changes");

        // The daemon's pools now.
        Map<?, ?> status = (Map<?, ?>) ((Map<?, ?>) Json.parse(AdminClient.call(socket, "{\"cmd\":\"status\"}")))
                .get("result");
        Map<?, ?> web = (Map<?, ?>) ((List<?>) status.get("pools")).get(0);
        for (Object o : (List<?>) web.get("backends")) {
            Map<?, ?> b = (Map<?, ?>) o;
            Model m = model.get((String) b.get("name"));
            assertEquals(m.weight, ((Number) b.get("weight")).longValue(), "weight of " + b.get("name"));
            assertEquals(m.adminState, b.get("admin_state"), "admin state of " + b.get("name"));
        }

        // The state file: exactly the runtime changes of the model against the last file.
        Set<String> expected = new HashSet<>();
        for (String name : List.of("a", "b")) {
            Model m = model.get(name);
            if (m.weight != 1) {
                expected.add(name + " weight " + m.weight);
            }
            if (!m.adminState.equals("active")) {
                expected.add(name + " admin_state " + m.adminState);
            }
        }
        Set<String> journaled = new HashSet<>();
        for (RuntimeChange change : StateFile.read(dir.resolve("state.json"))) {
            journaled.add(change.backend() + " " + change.key() + " " + change.value());
        }
        assertEquals(expected, journaled);
    }

    /** Fifty random changes to backends a and b over one admin connection; returns how many were ok. */
    private static int runClient(Path socket, long seed) throws Exception {
        Random random = new Random(seed);
        int ok = 0;
        try (AdminClient client = new AdminClient(socket)) {
            for (int i = 0; i < OPS_PER_CLIENT; i++) {
                String target = random.nextBoolean() ? "web/a" : "web/b";
                String request = switch (random.nextInt(3)) {
                    case 0 -> "{\"cmd\":\"set-weight\",\"target\":\"" + target + "\",\"weight\":" + (1 + random.nextInt(20));
                    case 1 -> "{\"cmd\":\"drain\",\"target\":\"" + target + "\"";
                    default -> "{\"cmd\":\"undrain\",\"target\":\"" + target + "\"";
                } + ",\"client_pid\":" + ProcessHandle.current().pid() + "}";
                String reply = client.call(request);
                if (reply.startsWith("{\"ok\":true")) {
                    ok++;
                }
            }
        }
        return ok;
    }

    /** The daemon's audit lines so far (of {@code cmd} only, when given), in log order. */
    private static List<Matcher> auditLines(DaemonProcess daemon, String cmd) {
        List<Matcher> lines = new ArrayList<>();
        for (String line : daemon.stderrLines()) {
            Matcher m = AUDIT.matcher(line);
            if (m.find() && (cmd == null || m.group(2).equals(cmd))) {
                lines.add(m);
            }
        }
        return lines;
    }
}
