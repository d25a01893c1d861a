package lb.admin;

import lb.protocol.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import lb.protocol.Version;
import lb.control.ControlPlane;
import lb.testing.AdminClient;
import lb.testing.Cleanup;

/** The admin socket's protocol and its defences, over a real Unix socket. */
class AdminServerTest {

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    /** One admin client: a line out, a line back. */
    private AdminServer start(long idleMs) throws IOException {
        return cleanup.track(AdminServer.start(dir.resolve("admin.sock"), null,
                ControlPlane.overForTest(Map.of(), Map.of()), TimeUnit.MILLISECONDS.toNanos(idleMs)));
    }

    @Test
    void versionAndStatusAnswerWithTheResult() throws Exception {
        AdminServer server = start(10_000);
        try (AdminClient client = cleanup.track(new AdminClient(server.path()))) {
            assertEquals("{\"ok\":true,\"result\":{\"version\":\"" + Version.text() + "\"}}",
                    client.call("{\"cmd\":\"version\"}"));
            @SuppressWarnings("unchecked")
            Map<String, Object> status = (Map<String, Object>) Json.parse(client.call("{\"cmd\": \"status\"}"));
            assertEquals(true, status.get("ok"));
            @SuppressWarnings("unchecked")
            Map<String, Object> result = (Map<String, Object>) status.get("result");
            assertEquals(List.of(), result.get("pools"));
            assertTrue((Long) result.get("uptime_ms") >= 0);
        }
    }

    static Stream<List<String>> badRequests() {
        return Stream.of(
                List.of("{\"cmd\":", "malformed JSON at offset 7: unexpected end"),
                List.of("not json", "malformed JSON at offset 0: unexpected character 'n'"),
                List.of("[\"status\"]", "a request is a JSON object with a \\\"cmd\\\" field"),
                List.of("{}", "missing \\\"cmd\\\""),
                List.of("{\"cmd\":5}", "\\\"cmd\\\" must be a string"),
                List.of("{\"cmd\":\"reboot\"}", "unknown command \\\"reboot\\\" (known: add-backend, diff, disable, drain, "
                        + "enable, explain, kill-session, preview-remove, reload, remove-backend, sessions, set-weight, sources, stats, status, "
                        + "undrain, upgrade, version)"),
                List.of("{\"cmd\":\"status\",\"cmd\":\"version\"}", "malformed JSON at offset 31: duplicate key \\\"cmd\\\""),
                List.of("{\"cmd\":\"status\"} x", "malformed JSON at offset 17: unexpected text after the value"),
                List.of("[".repeat(40), "malformed JSON at offset 33: nested deeper than 32"));
    }

    @ParameterizedTest
    @MethodSource("badRequests")
    void badRequestGetsAClearErrorAndTheConnectionGoesOn(List<String> requestAndError) throws Exception {
        AdminServer server = start(10_000);
        try (AdminClient client = cleanup.track(new AdminClient(server.path()))) {
            String code = requestAndError.get(0).contains("reboot") ? "unknown_command" : "bad_request";
            assertEquals("{\"ok\":false,\"error\":\"" + requestAndError.get(1) + "\",\"code\":\"" + code + "\"}",
                    client.call(requestAndError.get(0)));
            assertTrue(client.call("{\"cmd\":\"version\"}").startsWith("{\"ok\":true"), "the next request is served");
        }
    }

    @Test
    void thousandsOfPipelinedBadLinesGetAReplyEachAndTheThreadLives() throws Exception {
        AdminServer server = start(10_000);
        try (AdminClient client = cleanup.track(new AdminClient(server.path()))) {
            client.write("x\n".repeat(5_000) + "{\"cmd\":\"version\"}\n");
            for (int i = 0; i < 5_000; i++) {
                assertTrue(client.readLine().startsWith("{\"ok\":false,\"error\":\"malformed JSON"), "reply " + i);
            }
            assertTrue(client.readLine().startsWith("{\"ok\":true"), "the request after them is served");
        }
        try (AdminClient next = cleanup.track(new AdminClient(server.path()))) {
            assertTrue(next.call("{\"cmd\":\"version\"}").startsWith("{\"ok\":true"), "others still served");
        }
    }

    @Test
    void blankLinesDoNotKeepAnIdleConnectionOpen() throws Exception {
        AdminServer server = start(300);
        try (AdminClient client = cleanup.track(new AdminClient(server.path()))) {
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread blanks = new Thread(() -> {
                // A client that only ever sends blank lines, as fast as the server takes them, for
                // at most 10 s; it ends when the server closes the connection.
                long endNs = System.nanoTime() + 10_000_000_000L;
                while (!stop.get() && System.nanoTime() - endNs < 0) {
                    try {
                        client.write("\n");
                    } catch (IOException e) {
                        return; // closed by the server: done
                    }
                }
            });
            blanks.start();
            try {
                assertEquals("{\"ok\":false,\"error\":\"no request within 300 ms; closing\",\"code\":\"limit\"}",
                        client.readLine());
            } finally {
                stop.set(true);
                blanks.join();
            }
        }
    }

    @Test
    void twoThousandHeldConnectionsCostLittleHeapAndLeaveRoomOnceGone() throws Exception {
        AdminServer server = start(10_000);
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        long before = runtime.totalMemory() - runtime.freeMemory();
        List<SocketChannel> flood = new ArrayList<>(); // bare channels: the heap measured is the server's
        for (int i = 0; i < 2_000; i++) {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
            c.connect(UnixDomainSocketAddress.of(server.path()));
            c.write(java.nio.ByteBuffer.wrap("{\"cmd\":".getBytes(StandardCharsets.UTF_8))); // a partial request
            flood.add(c);
        }
        try (AdminClient probe = new AdminClient(server.path())) {
            // Whether refused (limit) or answered, the daemon answers at once; it is not wedged.
            assertTrue(probe.call("{\"cmd\":\"version\"}").startsWith("{\"ok\":"));
        }
        System.gc();
        long during = runtime.totalMemory() - runtime.freeMemory();
        assertTrue(during - before < 32L << 20, "heap grew " + ((during - before) >> 20) + " MiB for 2,000 connections");
        for (SocketChannel c : flood) {
            c.close();
        }
        long startNs = System.nanoTime();
        lb.testing.Await.until(() -> {
            try (AdminClient next = new AdminClient(server.path())) {
                return next.call("{\"cmd\":\"version\"}").startsWith("{\"ok\":true");
            } catch (IOException e) {
                return false;
            }
        }, java.time.Duration.ofSeconds(10), "served after the flood");
        assertTrue(System.nanoTime() - startNs < 1_000_000_000L, "served within a second of the flood's end");
    }

    @Test
    void overLongLineIsRefusedAndClosed() throws Exception {
        AdminServer server = start(10_000);
        try (AdminClient client = cleanup.track(new AdminClient(server.path()))) {
            String reply = client.call("{\"cmd\":\"" + "x".repeat(AdminServer.MAX_LINE_BYTES) + "\"}");
            assertEquals("{\"ok\":false,\"error\":\"request line longer than 65536 bytes\",\"code\":\"limit\"}", reply);
            assertEquals(null, client.readLine(), "closed after the error");
        }
        try (AdminClient next = cleanup.track(new AdminClient(server.path()))) {
            assertTrue(next.call("{\"cmd\":\"version\"}").startsWith("{\"ok\":true"), "others still served");
        }
    }

    @Test
    void silentClientIsAnsweredAndClosedAfterTheIdleTimeout() throws Exception {
        AdminServer server = start(300);
        try (AdminClient client = cleanup.track(new AdminClient(server.path()))) {
            long startNs = System.nanoTime();
            assertEquals("{\"ok\":false,\"error\":\"no request within 300 ms; closing\",\"code\":\"limit\"}", client.readLine());
            long ms = (System.nanoTime() - startNs) / 1_000_000;
            assertTrue(ms >= 250 && ms < 3_000, "closed after " + ms + " ms");
            assertEquals(null, client.readLine());
        }
    }

    @Test
    void hundredClientsAtOnceAreAllServed() throws Exception {
        AdminServer server = start(10_000);
        List<AdminClient> clients = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            clients.add(cleanup.track(new AdminClient(server.path())));
        }
        for (AdminClient client : clients) {
            client.write("{\"cmd\":\"version\"}\n");
        }
        for (AdminClient client : clients) {
            assertTrue(client.readLine().startsWith("{\"ok\":true"));
        }
    }

    @Test
    void socketIsCreatedWithMode0660AndRemovedOnClose() throws Exception {
        AdminServer server = start(10_000);
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.path())));
        server.close();
        assertTrue(!Files.exists(server.path()), "socket file removed on close");
    }

    @Test
    void staleSocketIsReplacedButALiveOneRefusesStartUp() throws Exception {
        Path path = dir.resolve("admin.sock");
        ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        crashed.bind(UnixDomainSocketAddress.of(path));
        crashed.close(); // the file stays, as after a crash
        assertTrue(Files.exists(path));
        AdminServer server = start(10_000);
        try (AdminClient client = cleanup.track(new AdminClient(server.path()))) {
            assertTrue(client.call("{\"cmd\":\"version\"}").startsWith("{\"ok\":true"));
        }
        IOException e = assertThrows(IOException.class, () -> AdminServer.start(path, null,
                ControlPlane.overForTest(Map.of(), Map.of())));
        assertEquals("admin socket " + path + " is in use: another lb-daemon is running (stop it, or give this one "
                + "another admin_socket)", e.getMessage());
        Path notADirectory = dir.resolve("missing").resolve("admin.sock");
        IOException missing = assertThrows(IOException.class, () -> AdminServer.start(notADirectory, null,
                ControlPlane.overForTest(Map.of(), Map.of())));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @Test
    void socketGroupIsSetWhenConfigured() throws Exception {
        String group = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class).group().getName();
        AdminServer server = cleanup.track(AdminServer.start(dir.resolve("grouped.sock"), group,
                ControlPlane.overForTest(Map.of(), Map.of())));
        assertEquals(group, Files.readAttributes(server.path(), java.nio.file.attribute.PosixFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).group().getName());
        IOException e = assertThrows(IOException.class, () -> AdminServer.start(dir.resolve("other.sock"),
                "no-such-group-lb", ControlPlane.overForTest(Map.of(), Map.of())));
        assertTrue(e.getMessage().startsWith("admin socket " + dir.resolve("other.sock") + ": "), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("other.sock")), "no socket file left after a failed start");
    }
}
