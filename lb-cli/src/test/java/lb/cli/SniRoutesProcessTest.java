package lb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.testing.Cleanup;
import lb.testing.DaemonProcess;
import lb.testing.TlsBackend;

/**
 * Test thread only. Routes by server name as an operator sees them, with processes: {@code lb-cli
 * status} lists them in the order they are tried, {@code lb-cli explain --sni} says which route and
 * backend a name reaches, and the daemon's access log names the SNI.
 */
class SniRoutesProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private Path socket;

    private CliProcess cli(int exit, String... args) throws Exception {
        CliProcess cli = cleanup.track(CliProcess.start(socket, args));
        assertEquals(exit, cli.awaitExit(TIMEOUT), cli.output());
        return cli;
    }

    @Test
    void statusExplainAndTheAccessLogShowTheRoutes() throws Exception {
        TlsBackend api = cleanup.track(TlsBackend.start("api", "h2"));
        TlsBackend web = cleanup.track(TlsBackend.start("web"));
        socket = dir.resolve("admin.sock");
        Path config = dir.resolve("lb.toml");
        Files.writeString(config, """
                [daemon]
                workers = 1
                admin_socket = "%s"
                [[listener]]
                name = "tls"
                bind = "127.0.0.1:0"
                default_pool = "web"
                [[listener.route]]
                sni = ["api.example.com", "*.api.example.com"]
                alpn = ["h2"]
                pool = "api"
                [[listener.route]]
                name = "api-any"
                sni = ["api.example.com"]
                pool = "api"
                [[listener]]
                name = "strict"
                bind = "127.0.0.1:0"
                default_pool = "reject"
                [[listener.route]]
                sni = ["api.example.com"]
                pool = "api"
                [[pool]]
                name = "api"
                algorithm = "maglev"
                [[pool.backend]]
                name = "a1"
                address = "127.0.0.1:%d"
                [[pool]]
                name = "web"
                [[pool.backend]]
                name = "w1"
                address = "127.0.0.1:%d"
                """.formatted(socket, api.address().getPort(), web.address().getPort()));
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--config", config.toString()));
        InetSocketAddress tls = daemon.awaitListener("tls", TIMEOUT);
        daemon.awaitLine(DaemonProcess.READY_LINE, TIMEOUT);

        String status = cli(0, "status").stdout();
        assertTrue(status.contains("""
                listener tls routes by TLS server name (exact names, then wildcards, then ALPN only; each in this order):
                  api.example.com,*.api.example.com [h2] -> api
                  api.example.com -> api
                  otherwise -> web
                """), status);
        assertTrue(status.contains("  otherwise -> reset (default_pool = \"reject\")"), status);
        assertTrue(Pattern.compile("strict\\s+\\S+\\s+\\(reject\\)").matcher(status).find(), status);

        String routed = cli(0, "explain", "127.0.0.1", "tls", "--sni", "API.example.com").stdout();
        assertTrue(routed.startsWith("route: api-any\nlistener tls -> pool api (maglev)\nbackend: a1\n"), routed);
        String fallback = cli(0, "explain", "127.0.0.1", "tls", "--sni", "www.example.com").stdout();
        assertTrue(fallback.startsWith("route: (none)\nlistener tls -> pool web (round_robin)\n"), fallback);
        String rejected = cli(0, "explain", "127.0.0.1", "strict").stdout();
        assertTrue(rejected.contains("no route takes a client without a server name and the listener has no default "
                + "pool: such a session is reset"), rejected);

        try (SSLSocket s = TlsBackend.connect(tls, "x.api.example.com", "h2")) {
            assertEquals("api h2", TlsBackend.greeting(s));
        }
        daemon.awaitLine(Pattern.compile("listener=tls backend=a1 .* end=completed id=\\d+ sni=x\\.api\\.example\\.com"),
                TIMEOUT);
    }
}
