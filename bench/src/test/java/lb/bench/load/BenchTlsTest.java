package lb.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.bench.Bench;
import lb.bench.backend.BackendType;
import lb.bench.backend.TestBackend;
import lb.bench.tls.SelfSignedCertificate;
import lb.protocol.Json;
import lb.testing.Cleanup;
import lb.testing.TestConfigs;
import picocli.CommandLine;

/**
 * Test thread only. {@code bench load --mode tls} on loopback: against bench's own tls-echo backend
 * directly and through an lb listener (TLS passes through as bytes), the server names taken in
 * turn, and the options that belong to tls alone refused elsewhere.
 */
class BenchTlsTest {

    /** What a run may take beyond warm-up plus duration: closing connections, a busy 2-core CI machine. */
    private static final long MARGIN_MS = 3_000;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = new CommandLine(new Bench());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    /** Runs {@code bench load ARGS --json}, checks exit 0 and the run's length, returns the summary. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> load(long runMs, String... args) {
        List<String> all = new ArrayList<>(List.of("load"));
        all.addAll(List.of(args));
        all.add("--json");
        long startNs = System.nanoTime();
        int exit = run(all.toArray(new String[0]));
        long tookMs = (System.nanoTime() - startNs) / 1_000_000;
        assertEquals(0, exit, "stdout:\n" + out + "\nstderr:\n" + err);
        assertTrue(tookMs >= runMs && tookMs < runMs + MARGIN_MS, "ran " + tookMs + " ms for a " + runMs + " ms run");
        return (Map<String, Object>) Json.parse(out.toString().trim());
    }

    private static double num(Map<String, Object> json, String key) {
        assertTrue(json.containsKey(key), key + " missing in " + json);
        return ((Number) json.get(key)).doubleValue();
    }

    private TestBackend tlsEcho() throws Exception {
        return cleanup.track(TestBackend.start(BackendType.TLS_ECHO, InetAddress.getLoopbackAddress(), List.of(0)));
    }

    @Test
    void tlsAgainstTheTlsEchoBackendHandshakesAndEchoesWithoutErrors() throws Exception {
        TestBackend backend = tlsEcho();
        Map<String, Object> json = load(1_200, "--target", "127.0.0.1:" + backend.addresses().get(0).getPort(),
                "--mode", "tls", "--sni", "a.example.com,b.example.org", "--alpn", "h2,http/1.1", "-c", "4",
                "--size", "100", "--duration", "1s", "--warmup", "200ms");
        assertEquals("tls", json.get("mode"));
        assertEquals("a.example.com,b.example.org", json.get("sni"));
        assertEquals("h2,http/1.1", json.get("alpn"));
        assertTrue(String.valueOf(json.get("tls")).startsWith("TLSv1.3 "), json.toString());
        double connects = num(json, "connects");
        assertTrue(connects > 0, json.toString());
        assertEquals(connects, num(json, "connects_per_s"), 1.0, json.toString());
        assertEquals(0, num(json, "errors"), json.toString());
        assertTrue(num(json, "p50_us") > 0 && num(json, "p50_us") <= num(json, "p99_us"), json.toString());
        // Every measured connection was a full handshake at the backend and echoed its 100 bytes.
        assertTrue(backend.stats().handshakes() >= connects, backend.stats().handshakes() + " handshakes");
        assertTrue(backend.stats().bytesSent() >= 100 * connects, backend.stats().bytesSent() + " bytes echoed");
        assertTrue(err.toString().contains("[  1.0s] tls "), "a progress line after a second: " + err);
    }

    @Test
    void tlsThroughAnLbListenerPassesTheHandshakeThroughAndPrintsATable() throws Exception {
        TestBackend backend = tlsEcho();
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(backend.addresses()).build()));
        String target = "127.0.0.1:" + daemon.listenerAddress(TestConfigs.LISTENER).getPort();
        assertEquals(0, run("load", "--target", target, "--mode", "tls", "--sni", "api.example.com", "-c", "2",
                "--duration", "1s", "--warmup", "200ms"), err.toString());
        String table = out.toString();
        assertTrue(table.startsWith("bench load: tls against " + target), table);
        assertTrue(table.matches("(?s).*TLS connections completed\\s+[1-9][0-9,]*\\n.*"), table);
        assertTrue(table.matches("(?s).*errors \\(whole run\\)\\s+0\\n.*"), table);
        assertTrue(table.contains("server names (SNI), in turn") && table.contains("api.example.com"), table);
    }

    @Test
    void sizeZeroOnlyHandshakesAndAFixedRateKeepsToTheRate() throws Exception {
        TestBackend backend = tlsEcho();
        Map<String, Object> json = load(1_000, "--target", "127.0.0.1:" + backend.addresses().get(0).getPort(),
                "--mode", "tls", "--size", "0", "--rate", "100", "-c", "4", "--duration", "1s", "--warmup", "0s");
        double connects = num(json, "connects");
        assertTrue(connects > 20 && connects <= 100 + 4, json.toString());
        assertEquals("(none)", json.get("sni"));
        assertEquals(0, num(json, "errors"), json.toString());
        assertEquals(0, backend.stats().bytesReceived(), "no application byte is sent with --size 0");
    }

    @Test
    void serverNamesAreSentInTurnOnePerConnection() throws Exception {
        // A JDK TLS server that records the server_name of every handshake.
        SSLServerSocket server = cleanup.track((SSLServerSocket) SelfSignedCertificate.serverContext("names")
                .getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        SSLParameters parameters = server.getSSLParameters();
        parameters.setSNIMatchers(List.of(new SNIMatcher(0) {
            @Override
            public boolean matches(SNIServerName name) {
                seen.add(((SNIHostName) name).getAsciiName());
                return true;
            }
        }));
        server.setSSLParameters(parameters);
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (SSLSocket socket = (SSLSocket) server.accept()) {
                    socket.startHandshake();
                    ((ExtendedSSLSession) socket.getSession()).getRequestedServerNames();
                } catch (Exception e) {
                    // the client closed first, or the test is over
                }
            }
        }, "sni-recorder");
        acceptor.setDaemon(true);
        acceptor.start();
        InetSocketAddress address = (InetSocketAddress) server.getLocalSocketAddress();
        load(500, "--target", "127.0.0.1:" + address.getPort(), "--mode", "tls", "--size", "0", "-c", "1", "-t", "1",
                "--rate", "20", "--sni", "a.example.com,b.example.org,c.example.net", "--duration", "500ms",
                "--warmup", "0s");
        List<String> names = new ArrayList<>(seen);
        assertTrue(names.size() >= 6, names.toString());
        List<String> turns = List.of("a.example.com", "b.example.org", "c.example.net");
        for (int i = 0; i < names.size(); i++) {
            assertEquals(turns.get(i % 3), names.get(i), "connection " + i + " of " + names);
        }
    }

    @Test
    void tlsOptionsWithAnotherModeAreUsageErrors() {
        assertEquals(2, run("load", "--target", "127.0.0.1:1", "--mode", "crr", "--sni", "a.example.com"));
        assertTrue(err.toString().contains("--sni is for --mode tls only"), err.toString());
        assertEquals(2, run("load", "--target", "127.0.0.1:1", "--mode", "rr", "--alpn", "h2"));
        assertTrue(err.toString().contains("--alpn is for --mode tls only"), err.toString());
    }

    @Test
    void aServerNameSniCannotCarryIsAUsageError() {
        assertEquals(2, run("load", "--target", "127.0.0.1:1", "--mode", "tls", "--sni", "not a name"));
        assertTrue(err.toString().contains("--sni 'not a name' is not a host name"), err.toString());
    }

    @Test
    void sizeZeroIsForTlsOnly() {
        assertEquals(2, run("load", "--target", "127.0.0.1:1", "--mode", "crr", "--size", "0"));
        assertTrue(err.toString().contains("--size must be 1.."), err.toString());
    }
}
