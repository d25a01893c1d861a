package lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.config.Config;
import lb.config.ConfigLoader;
import lb.config.DaemonConfig;
import lb.testing.AdminClient;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.DaemonProcess;
import lb.testing.EchoBackend;
import lb.testing.Payload;

/**
 * The start-up warm-up: real traffic through a throwaway daemon, checked; it never touches the
 * real config's files, ports, counters or logs; it ends when asked; and a real process warms up
 * before its listeners open, counting none of the warm-up's sessions.
 */
class WarmupTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** A real config whose files all live in {@code dir}, so that the test can see that none appears. */
    private Config real(String algorithm) throws Exception {
        return ConfigLoader.parse("""
                [daemon]
                workers = 2
                admin_socket = "%s"
                state_file = "%s"
                access_log = "%s"
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                algorithm = "%s"
                [[pool.backend]]
                address = "127.0.0.1:9"
                """.formatted(dir.resolve("admin.sock"), dir.resolve("state.json"), dir.resolve("access.log"), algorithm),
                Optional.empty());
    }

    @Test
    void relaysCheckedTrafficAndLeavesTheRealConfigsFilesAlone() throws Exception {
        Warmup.Result result = Warmup.run(real("maglev"), Duration.ofSeconds(1), () -> false);

        assertNull(result.failure(), "warm-up failed: " + result.failure());
        // Every connection's echo was compared with what was sent (a wrong byte is a failure above).
        assertTrue(result.connections() >= 200, "connections relayed: " + result.connections());
        assertTrue(result.took().compareTo(Duration.ofSeconds(10)) < 0, "took " + result.took());
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "the real config's admin socket, state file and access log");
        }
    }

    @Test
    void aListenerWithPROXYHeadersAndRoutesGetsThosePathsWarmedToo() throws Exception {
        Config real = ConfigLoader.parse("""
                [daemon]
                workers = 2
                admin_socket = ""
                access_log = "off"
                [[listener]]
                name = "plain"
                bind = "127.0.0.1:0"
                pool = "web"
                [[listener]]
                name = "edge"
                bind = "127.0.0.1:0"
                pool = "web"
                proxy_protocol = "any"
                [[listener.route]]
                sni = ["api.example.com"]
                pool = "web"
                [[pool]]
                name = "web"
                [[pool.backend]]
                address = "127.0.0.1:9"
                """, Optional.empty());
        Config warm = Warmup.config(real, List.of(1111, 2222));
        assertEquals(lb.proxyproto.ProxyHeaderParser.Accept.V2, warm.listeners().get(0).proxyProtocol().versions());
        assertEquals(List.of(Warmup.SERVER_NAME), warm.listeners().get(0).sni().routes().get(0).sni());

        Warmup.Result result = Warmup.run(real, Duration.ofSeconds(1), () -> false);

        // Each connection sent the PROXY header (read, not relayed: a relayed one would spoil the echo)
        // and the ClientHello (inspected, routed, relayed and echoed back unchanged) before its exchanges.
        assertNull(result.failure(), "warm-up failed: " + result.failure());
        assertTrue(result.connections() >= 100, "connections relayed: " + result.connections());
    }

    @Test
    void itsPROXYHeaderAndClientHelloAreWhatLbsParsersAccept() throws Exception {
        lb.proxyproto.ProxyHeader header = new lb.proxyproto.ProxyHeader();
        byte[] v2 = Warmup.proxyHeaderV2(new InetSocketAddress("127.0.0.1", 4242));
        assertEquals(v2.length, lb.proxyproto.ProxyHeaderParser.parse(java.nio.ByteBuffer.wrap(v2),
                lb.proxyproto.ProxyHeaderParser.Accept.V2, header));
        assertTrue(header.hasAddresses());
        assertEquals(4242, header.destinationPort());

        lb.tls.ClientHello hello = new lb.tls.ClientHello();
        byte[] bytes = Warmup.clientHello(Warmup.SERVER_NAME);
        assertTrue(lb.tls.ClientHelloParser.parse(java.nio.ByteBuffer.wrap(bytes), hello) > 0, "a whole ClientHello");
        assertEquals(Warmup.SERVER_NAME, hello.serverNameString());
    }

    @Test
    void endsAtOnceWhenAStopIsRequested() throws Exception {
        Warmup.Result result = Warmup.run(real("round_robin"), Duration.ofSeconds(60), () -> true);

        assertNull(result.failure(), "warm-up failed: " + result.failure());
        assertEquals(0, result.connections());
        assertTrue(result.took().compareTo(Duration.ofSeconds(10)) < 0, "took " + result.took());
    }

    @Test
    void throwawayConfigTakesTheDataPathSettingsAndNothingElse() throws Exception {
        Config warm = Warmup.config(real("least_conn"), List.of(1111, 2222));

        DaemonConfig d = warm.daemon();
        assertEquals(2, d.workers());
        assertFalse(d.accessLog());
        assertNull(d.adminSocket());
        assertNull(d.stateFile());
        assertTrue(d.warmup().isZero(), "the throwaway daemon does not warm up itself");
        assertNull(warm.metrics().listen(), "no metrics listener");
        assertEquals(1, warm.listeners().size());
        assertEquals("127.0.0.1", warm.listeners().get(0).bind().getHostString());
        assertEquals(0, warm.listeners().get(0).bind().getPort());
        assertEquals("least_conn", warm.pools().get(0).algorithm(), "the first real pool's algorithm");
        assertEquals(List.of(1111, 2222), warm.pools().get(0).backends().stream().map(b -> b.address().getPort()).toList());
    }

    @Test
    void aProcessWarmsUpBeforeItsListenerOpensAndCountsNoneOfIt() throws Exception {
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        Path socket = dir.resolve("admin.sock");
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--warmup", "1s", "--workers", "2",
                "--listen", "127.0.0.1:0", "--backends", "127.0.0.1:" + echo.address().getPort(),
                "--admin-socket", socket.toString()));
        InetSocketAddress listener = daemon.awaitListener("default", Duration.ofSeconds(30));

        List<String> lines = daemon.stderrLines();
        int warmed = indexOf(lines, "warm-up: ");
        int bound = indexOf(lines, "listener \"default\" on");
        assertTrue(warmed >= 0 && warmed < bound, "the warm-up line comes before the listener's:\n" + daemon.output());
        Matcher m = Pattern.compile("warm-up: (\\d+) connections relayed and checked").matcher(lines.get(warmed));
        assertTrue(m.find() && Long.parseLong(m.group(1)) > 0, lines.get(warmed));

        byte[] sent = Payload.random(7, 100_000);
        try (Socket client = new Socket()) {
            client.connect(listener, 5_000);
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            out.write(sent);
            client.shutdownOutput();
            InputStream in = client.getInputStream();
            assertTrue(Arrays.equals(Payload.sha256(sent), Payload.sha256(in.readAllBytes())), "echo intact");
        }
        Await.until(() -> stats(socket).contains("\"sessions_total\":1"), Duration.ofSeconds(10),
                () -> "the one client session counted: " + stats(socket));
        String stats = stats(socket);
        assertFalse(stats.contains("warmup") || stats.contains("echo-0"), "no trace of the warm-up: " + stats);
        assertFalse(Pattern.compile("\"sessions_total\":([2-9]|\\d{2,})").matcher(stats).find(),
                "no count above the one client session: " + stats);
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    private static String stats(Path socket) {
        try {
            return AdminClient.call(socket, "{\"cmd\":\"stats\"}");
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
