package lb.cli;

import static lb.testing.ReloadRounds.algorithm;
import static lb.testing.ReloadRounds.weight;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.protocol.Json;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.DaemonProcess;
import lb.testing.EchoBackend;
import lb.testing.EchoFlows;
import lb.testing.ReloadRounds;

/**
 * Test thread only. Reload as an operator does it, under load: a real daemon process, its config
 * file rewritten and {@code lb-cli reload} run as a process ten times while 200 sessions stream
 * through it. Every reload prints the changes it made (a backend added and removed, a weight, the
 * algorithm, a listener with a pool of its own bound and unbound, and that listener answers or is
 * gone accordingly); a broken file in between is refused with every reason and changes nothing;
 * not one session fails or loses a byte (SHA-256 both ways), and the daemon stops cleanly after.
 * The reloads run on a thread of their own, which closes its own CLI processes and clients.
 */
class ReloadProcessTest {

    private static final Duration START = Duration.ofSeconds(20);
    private static final Duration CLI_EXIT = Duration.ofSeconds(15);
    private static final int ROUNDS = 10;
    private static final int BROKEN_AFTER = 5;
    private static final Pattern ADDED_SIDE = Pattern.compile("added listener side to 127\\.0\\.0\\.1:(\\d+) -> pool side");
    private static final String CONTINUE = " \\(\\d+ open session\\(s\\) continue\\)";

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    /** One CLI run, to its end. */
    private record Ran(int exit, String stdout, String stderr, String output) {
    }

    /** The file for {@code round}: {@link ReloadRounds} without health changes, with the admin socket. */
    private static String config(Path socket, EchoBackend a, EchoBackend b, EchoBackend c, int round) {
        return ReloadRounds.config(round, a, b, c, "shutdown_grace = \"5s\"\nadmin_socket = \"%s\"".formatted(socket),
                false);
    }

    /**
     * The change lines the reload to {@code round} prints, in the daemon's order (pool echo, then
     * pools, then listeners). How many sessions a removal leaves running depends on timing, except
     * where the caller checks it. {@code sidePort}: the port "side" was bound to, for its removal.
     */
    private static List<String> expectedChanges(int round, int sidePort) {
        List<String> lines = new ArrayList<>();
        lines.add(Pattern.quote("pool echo: backend a weight " + weight(round - 1) + " -> " + weight(round)));
        lines.add(round % 2 == 1 ? "pool echo: removed backend c" + CONTINUE : "pool echo: added backend c");
        if (!algorithm(round - 1).equals(algorithm(round))) {
            lines.add("pool echo: algorithm " + algorithm(round - 1) + " -> " + algorithm(round));
        }
        if (round % 2 == 1) {
            lines.add(Pattern.quote("added pool side (round_robin, 1 backends)"));
            lines.add(ADDED_SIDE.pattern());
        } else {
            lines.add("removed pool side" + CONTINUE);
            lines.add("removed listener side on 127\\.0\\.0\\.1:" + sidePort + CONTINUE);
        }
        return lines;
    }

    private static Ran cli(Path socket, String... args) throws IOException, InterruptedException {
        try (CliProcess cli = CliProcess.start(socket, args)) {
            int exit = cli.awaitExit(CLI_EXIT);
            return new Ran(exit, cli.stdout(), cli.stderr(), cli.output());
        }
    }

    /** One message through the side listener: answered by the side pool's backend. */
    private static void echoThrough(InetSocketAddress address) throws IOException {
        try (Client client = Client.connect(address)) {
            byte[] hello = "hello side".getBytes(StandardCharsets.US_ASCII);
            client.send(hello);
            assertArrayEquals(hello, client.readExactly(hello.length));
        }
    }

    /**
     * {@code lb-cli --json status} without what moves on its own (session counts, uptime): the
     * listeners with their binds and pools, the pools with their algorithms and backends (address,
     * weight, state).
     */
    private static Object configView(Path socket) throws IOException, InterruptedException {
        Ran status = cli(socket, "--json", "status");
        assertEquals(0, status.exit(), status.output());
        Map<?, ?> reply = (Map<?, ?>) Json.parse(status.stdout().trim());
        assertEquals(Boolean.TRUE, reply.get("ok"), status.output());
        return withoutCounts(reply.get("result"));
    }

    private static Object withoutCounts(Object json) {
        if (json instanceof Map<?, ?> map) {
            Map<Object, Object> kept = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                if (!Set.of("uptime_ms", "active_sessions", "total_sessions").contains(k)) {
                    kept.put(k, withoutCounts(v));
                }
            });
            return kept;
        }
        if (json instanceof List<?> list) {
            return list.stream().map(ReloadProcessTest::withoutCounts).toList();
        }
        return json;
    }

    @Test
    void tenCliReloadsWhile200SessionsStreamLoseNothingAndABrokenFileChangesNothing() throws Exception {
        EchoBackend a = cleanup.track(EchoBackend.start("a"));
        EchoBackend b = cleanup.track(EchoBackend.start("b"));
        EchoBackend c = cleanup.track(EchoBackend.start("c"));
        Path socket = dir.resolve("admin.sock");
        Path file = dir.resolve("lb.toml");
        Files.writeString(file, config(socket, a, b, c, 0));
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--config", file.toString()));
        InetSocketAddress main = daemon.awaitListener("main", START);
        daemon.awaitLine(DaemonProcess.READY_LINE, START); // the admin socket answers from here on

        // 1 to 1.8 MiB a session, and each flow holds at half its size until the reloads are done
        // (an lb-cli process is a JVM start, slower than the flows): every session is open, mid-stream,
        // through all ten reloads, which the reload thread checks at the first and after the last.
        List<EchoFlows.Spec> specs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            specs.add(new EchoFlows.Spec(4 * (256 * 1024 + i * 1024L), 7_000 + i, 8 * 1024));
        }
        EchoFlows flows = cleanup.track(EchoFlows.connect(main, specs, Duration.ofSeconds(10)));
        assertEquals(200, flows.connected());

        ExecutorService reloader = Executors.newSingleThreadExecutor();
        cleanup.track((AutoCloseable) reloader::shutdownNow); // interrupts a reload thread left running
        long startNs = System.nanoTime();
        CompletableFuture<String> reloads = CompletableFuture.supplyAsync(() -> {
            try {
                return reloadTenTimes(socket, file, a, b, c, startNs);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, reloader);
        List<EchoFlows.Result> results = flows.run(Duration.ofSeconds(60), () -> !reloads.isDone());
        long flowsMs = (System.nanoTime() - startNs) / 1_000_000;
        String reloaded;
        try {
            reloaded = reloads.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // The reload thread's own assertion, not a wrapper around it.
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
        System.out.println("ReloadProcessTest: " + reloaded + "; flows done at " + flowsMs + " ms"); // the margin

        assertEquals("", EchoFlows.failures(results), "sessions through 10 CLI reloads (sha256 both ways)");
        assertTrue(daemon.process().isAlive(), "the daemon ended" + daemon.output());
        daemon.terminate();
        assertEquals(0, daemon.awaitExit(START), daemon.output());
    }

    /** On the reload thread: the ten reloads and the broken file; returns what it saw, for the log. */
    private String reloadTenTimes(Path socket, Path file, EchoBackend a, EchoBackend b, EchoBackend c, long startNs)
            throws IOException, InterruptedException {
        InetSocketAddress side = null;
        for (int round = 1; round <= ROUNDS; round++) {
            Files.writeString(file, config(socket, a, b, c, round));
            Ran reload = cli(socket, "reload");
            assertEquals(0, reload.exit(), "reload " + round + reload.output());
            List<String> printed = reload.stdout().lines().toList();
            List<String> expected = expectedChanges(round, side == null ? -1 : side.getPort());
            assertEquals(expected.size(), printed.size(), "reload " + round + ": expected " + expected + reload.output());
            for (int i = 0; i < expected.size(); i++) {
                assertTrue(printed.get(i).matches(expected.get(i)),
                        "reload " + round + ": line " + (i + 1) + " should match /" + expected.get(i) + "/" + reload.output());
            }
            if (round == 1) {
                // Pool echo started with a, b and c; removing c leaves its streaming sessions on it.
                Matcher m = Pattern.compile("removed backend c \\((\\d+) open").matcher(printed.get(1));
                assertTrue(m.find() && Integer.parseInt(m.group(1)) > 0,
                        "no session open on c when it was removed: not under load" + reload.output());
            }
            if (round % 2 == 1) {
                Matcher m = ADDED_SIDE.matcher(reload.stdout());
                assertTrue(m.find(), reload.output());
                side = new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
                echoThrough(side);
            } else {
                InetSocketAddress unbound = side;
                assertThrows(ConnectException.class, () -> Client.connect(unbound).close(),
                        "listener side still bound on " + unbound + " after reload " + round);
            }
            if (round == BROKEN_AFTER) {
                brokenFileChangesNothing(socket, file, a, b, c, side);
            }
        }
        int open = a.open() + b.open();
        long ms = (System.nanoTime() - startNs) / 1_000_000;
        // Sessions still streaming after the last reload: every reload happened under load.
        assertTrue(open > 0, "all sessions had ended before the last reload returned (" + ms
                + " ms): the reloads were not all under load");
        return "reloads done at " + ms + " ms with " + open + " session(s) open on a and b";
    }

    /**
     * Two problems in one file (a listener naming a pool that does not exist, and weight 0): the
     * reload is refused with both reasons, and status shows the same listeners and pools as before.
     */
    private static void brokenFileChangesNothing(Path socket, Path file, EchoBackend a, EchoBackend b, EchoBackend c,
            InetSocketAddress side) throws IOException, InterruptedException {
        Object before = configView(socket);
        String broken = config(socket, a, b, c, BROKEN_AFTER + 1)
                .replace("pool = \"echo\"", "pool = \"none\"")
                .replace("weight = " + weight(BROKEN_AFTER + 1), "weight = 0");
        Files.writeString(file, broken);
        Ran refused = cli(socket, "reload");
        assertEquals(1, refused.exit(), refused.output());
        assertEquals("", refused.stdout(), refused.output());
        assertTrue(refused.stderr().startsWith("lb-cli: the daemon refused: invalid config " + file + ": ")
                && refused.stderr().contains("listener[0].pool: no pool named \"none\"")
                && refused.stderr().contains("pool[0].backend[0].weight: 0 is out of range"), refused.output());
        assertEquals(before, configView(socket), "status changed after a refused reload");
        echoThrough(side); // the side listener bound by the last good reload still serves
    }
}
