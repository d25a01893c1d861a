package lb.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.Daemon;
import lb.config.Config;
import lb.config.ConfigLoader;
import lb.listen.Listener;
import lb.listen.Listener.SniDefault;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.EchoBackend;
import lb.testing.Payload;
import lb.testing.ScriptedBackend;
import lb.testing.TlsBackend;

/**
 * Test thread only. TLS passthrough routing by server name through a real daemon: JDK TLS clients
 * with different names and ALPN offers reach the pool their route names and complete the handshake
 * with that backend; no name, no match, non-TLS bytes, a slow or an over-long ClientHello go to the
 * default pool (or are reset without one), each counted; the backend gets every byte read while
 * inspecting, unchanged, even when the ClientHello came one byte at a time.
 */
class SniRoutingTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private static String pool(String name, InetSocketAddress backend) {
        return "[[pool]]\nname = \"" + name + "\"\n[[pool.backend]]\naddress = \"127.0.0.1:" + backend.getPort() + "\"\n";
    }

    private Daemon start(String toml) throws Exception {
        Path file = dir.resolve("lb.toml");
        Files.writeString(file, daemonSection(toml));
        return cleanup.track(Daemon.start(ConfigLoader.load(file)));
    }

    /** No admin socket or state file: an in-process daemon of a test. */
    private static String daemonSection(String toml) {
        String keys = "admin_socket = \"\"\nstate_file = \"\"\n";
        return toml.startsWith("[daemon]\n") ? toml.replace("[daemon]\n", "[daemon]\n" + keys) : "[daemon]\n" + keys + toml;
    }

    private static String greeting(InetSocketAddress at, String name, String... alpn) throws Exception {
        try (SSLSocket s = TlsBackend.connect(at, name, alpn)) {
            String greeting = TlsBackend.greeting(s);
            byte[] data = Payload.random(name == null ? 0 : name.hashCode(), 20_000);
            s.getOutputStream().write(data);
            s.getOutputStream().flush();
            byte[] back = new DataInputStream(s.getInputStream()).readNBytes(data.length);
            assertArrayEquals(Payload.sha256(data), Payload.sha256(back), "echoed intact over TLS");
            return greeting;
        }
    }

    @Test
    void tlsClientsReachThePoolTheirServerNameRoutesTo() throws Exception {
        TlsBackend api = cleanup.track(TlsBackend.start("api", "h2", "http/1.1"));
        TlsBackend org = cleanup.track(TlsBackend.start("org", "h2"));
        TlsBackend wild = cleanup.track(TlsBackend.start("wild"));
        TlsBackend fallback = cleanup.track(TlsBackend.start("fallback"));
        Daemon daemon = start("""
                [daemon]
                workers = 2
                [[listener]]
                name = "tls"
                bind = "127.0.0.1:0"
                default_pool = "fallback"
                [[listener.route]]
                sni = ["*.example.com"]
                pool = "wild"
                [[listener.route]]
                sni = ["API.example.com."]
                pool = "api"
                [[listener.route]]
                sni = ["*.example.org"]
                alpn = ["h2"]
                pool = "org"
                """ + pool("api", api.address()) + pool("org", org.address()) + pool("wild", wild.address())
                + pool("fallback", fallback.address()));
        InetSocketAddress at = daemon.listenerAddress("tls");
        assertEquals("api h2", greeting(at, "api.example.com", "h2"), "exact beats the earlier wildcard");
        assertEquals("api -", greeting(at, "Api.Example.com"), "names compare case-insensitively");
        assertEquals("wild -", greeting(at, "www.example.com"));
        assertEquals("wild -", greeting(at, "a.b.example.com"), "a wildcard covers any depth");
        assertEquals("org h2", greeting(at, "www.example.org", "http/1.1", "h2"));
        assertEquals("fallback -", greeting(at, "www.example.org", "http/1.1"), "the route wants h2 offered");
        assertEquals("fallback -", greeting(at, "example.org", "h2"), "*.example.org is not example.org");
        assertEquals("fallback -", greeting(at, null), "no server name");
        Listener listener = daemon.listeners().get("tls");
        assertEquals(2, listener.sniDefaults(SniDefault.NO_MATCH));
        assertEquals(1, listener.sniDefaults(SniDefault.NO_SNI));
        Map<String, Long> routed = Map.of("wild", 2L, "api", 2L, "org", 1L);
        for (var t : listener.sniRoutes().targets()) {
            assertEquals(routed.get(t.name()), t.sessions(), t.name());
        }
    }

    @Test
    void withoutADefaultPoolWhatNoRouteTakesIsReset() throws Exception {
        TlsBackend api = cleanup.track(TlsBackend.start("api"));
        Daemon daemon = start("""
                [[listener]]
                name = "strict"
                bind = "127.0.0.1:0"
                default_pool = "reject"
                [[listener.route]]
                sni = ["api.example.com"]
                pool = "api"
                """ + pool("api", api.address()));
        InetSocketAddress at = daemon.listenerAddress("strict");
        assertEquals("api -", greeting(at, "api.example.com"));
        assertThrows(IOException.class, () -> TlsBackend.connect(at, "other.example.com"), "reset: no route");
        Await.until(() -> daemon.listeners().get("strict").sniDefaults(SniDefault.NO_MATCH) == 1, TIMEOUT, "counted");
    }

    /** A backend that reads {@code n} bytes and answers with their SHA-256 (what lb relayed, exactly). */
    private ScriptedBackend digest(String name, int n) throws IOException {
        return cleanup.track(ScriptedBackend.start(name, (socket, self) -> {
            byte[] got = socket.getInputStream().readNBytes(n);
            socket.getOutputStream().write(Payload.sha256(got));
            socket.getOutputStream().flush();
            socket.getInputStream().transferTo(socket.getOutputStream());
        }));
    }

    private static byte[] capturedHello() throws IOException {
        try (InputStream in = SniRoutingTest.class.getResourceAsStream("/tls/jdk17-sni-alpn.hex")) {
            String hex = new String(in.readAllBytes(), StandardCharsets.US_ASCII).replaceAll("\\s", "");
            return HexFormat.of().parseHex(hex);
        }
    }

    @Test
    void everyByteReadWhileInspectingReachesTheBackendEvenOneAtATime() throws Exception {
        byte[] hello = capturedHello(); // names api.example.com, offers h2 and http/1.1
        byte[] after = Payload.random(9, 5000);
        ScriptedBackend api = digest("api", hello.length + after.length);
        EchoBackend plain = cleanup.track(EchoBackend.start("plain"));
        Daemon daemon = start("""
                [[listener]]
                name = "raw"
                bind = "127.0.0.1:0"
                pool = "plain"
                client_hello_timeout = "10s"
                [[listener.route]]
                sni = ["api.example.com"]
                pool = "api"
                """ + pool("api", api.address()) + pool("plain", plain.address()));
        InetSocketAddress at = daemon.listenerAddress("raw");
        byte[] all = new byte[hello.length + after.length];
        System.arraycopy(hello, 0, all, 0, hello.length);
        System.arraycopy(after, 0, all, hello.length, after.length);
        try (Client client = Client.connect(at)) {
            for (int i = 0; i < hello.length; i++) {
                client.send(hello, i, 1);
                if (i % 50 == 0) {
                    Thread.sleep(1); // pacing, so that pieces arrive apart (not a synchronisation)
                }
            }
            client.send(after);
            assertArrayEquals(Payload.sha256(all), client.readExactly(32), "the backend got the hello and what followed");
        }
        // Not TLS at all: the default pool gets the bytes, unchanged.
        try (Client client = Client.connect(at)) {
            byte[] text = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            client.send(text);
            assertArrayEquals(text, client.readExactly(text.length));
        }
        Listener listener = daemon.listeners().get("raw");
        Await.until(() -> listener.sniDefaults(SniDefault.NOT_TLS) == 1, TIMEOUT, "counted as not TLS");
    }

    @Test
    void aSlowOrOverlongClientHelloGoesToTheDefaultPoolWithWhatCame() throws Exception {
        byte[] hello = capturedHello();
        EchoBackend plain = cleanup.track(EchoBackend.start("plain"));
        ScriptedBackend api = digest("api", 1);
        Daemon daemon = start("""
                [[listener]]
                name = "raw"
                bind = "127.0.0.1:0"
                pool = "plain"
                client_hello_timeout = "300ms"
                client_hello_max = "1KiB"
                [[listener.route]]
                sni = ["api.example.com"]
                pool = "api"
                """ + pool("api", api.address()) + pool("plain", plain.address()));
        InetSocketAddress at = daemon.listenerAddress("raw");
        Listener listener = daemon.listeners().get("raw");
        try (Client slow = Client.connect(at)) {
            slow.send(hello, 0, 100); // and then nothing until the timeout
            assertArrayEquals(java.util.Arrays.copyOf(hello, 100), slow.readExactly(100), "echoed by the default pool");
        }
        assertEquals(1, listener.sniDefaults(SniDefault.TIMEOUT));
        // A record that claims more than client_hello_max: read up to the cap, then the default pool.
        byte[] big = new byte[3000];
        big[0] = 22;
        big[1] = 3;
        big[2] = 1;
        big[3] = 0x0b; // record length 2,900
        big[4] = 0x54;
        big[5] = 1; // ClientHello, 24-bit length 2,896
        big[7] = 0x0b;
        big[8] = 0x50;
        try (Client client = Client.connect(at)) {
            client.send(big);
            assertArrayEquals(Payload.sha256(big), Payload.sha256(client.readExactly(big.length)));
        }
        Await.until(() -> listener.sniDefaults(SniDefault.TOO_LONG) == 1, TIMEOUT, "counted as too long");
        assertEquals(0, api.accepted(), "no route taken");
    }

    @Test
    void routesReloadInProcess() throws Exception {
        TlsBackend a = cleanup.track(TlsBackend.start("a"));
        TlsBackend b = cleanup.track(TlsBackend.start("b"));
        String before = """
                [[listener]]
                name = "tls"
                bind = "127.0.0.1:0"
                default_pool = "a"
                [[listener.route]]
                sni = ["x.example.com"]
                pool = "a"
                """ + pool("a", a.address()) + pool("b", b.address());
        Daemon daemon = start(before);
        InetSocketAddress at = daemon.listenerAddress("tls");
        assertEquals("a -", greeting(at, "x.example.com"));
        Files.writeString(dir.resolve("lb.toml"), daemonSection(before.replace("pool = \"a\"\n[[pool]]",
                "pool = \"b\"\n[[pool]]")));
        List<String> changes = daemon.reload();
        assertTrue(changes.stream().anyMatch(c -> c.contains("routes by server name changed")), changes.toString());
        assertEquals(daemon.listenerAddress("tls"), at, "same socket");
        assertEquals("b -", greeting(at, "x.example.com"));
        assertEquals("a -", greeting(at, "y.example.com"), "the default pool");
        Config unused = ConfigLoader.parse(before, Optional.empty());
        assertEquals(1, unused.listeners().get(0).sni().routes().size());
    }
}
