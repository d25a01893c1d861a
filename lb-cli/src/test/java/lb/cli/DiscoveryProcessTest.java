package lb.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.DaemonProcess;
import lb.testing.EchoBackend;
import lb.testing.FakeDns;
import lb.testing.Payload;

/**
 * Test thread only. A daemon process whose only backends come from DNS (a {@link FakeDns} on
 * 127.0.0.1) serves clients end to end, and {@code lb-cli status} shows the pool's discovery: the
 * backends the answer gave, then a failure (the last good set kept and still serving), then recovery.
 */
class DiscoveryProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String NAME = "_echo._tcp.svc.test";

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private Path socket;

    private String status() throws Exception {
        CliProcess cli = cleanup.track(CliProcess.start(socket, "status"));
        assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
        return cli.stdout();
    }

    private static void echo(InetSocketAddress listener, long seed) throws Exception {
        try (Client c = Client.connect(listener)) {
            byte[] payload = Payload.random(seed, 4096);
            c.send(payload);
            assertArrayEquals(payload, c.readExactly(payload.length), "echoed intact");
        }
    }

    @Test
    void aDaemonWithDiscoveryServesClientsAndStatusShowsIt() throws Exception {
        FakeDns dns = cleanup.track(FakeDns.start());
        EchoBackend one = cleanup.track(EchoBackend.start("one"));
        EchoBackend two = cleanup.track(EchoBackend.start("two"));
        dns.srvWithAddresses(NAME, List.of(FakeDns.srv(NAME, 1, 0, 3, one.address().getPort(), "one.svc.test"),
                FakeDns.srv(NAME, 1, 0, 1, two.address().getPort(), "two.svc.test")),
                List.of(FakeDns.address("one.svc.test", 1, "127.0.0.1"), FakeDns.address("two.svc.test", 1, "127.0.0.1")));
        socket = dir.resolve("admin.sock");
        Path config = dir.resolve("lb.toml");
        Files.writeString(config, """
                [daemon]
                workers = 2
                admin_socket = "%s"
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                algorithm = "maglev"
                [pool.discovery]
                name = "%s"
                resolvers = ["%s"]
                min_refresh = "100ms"
                timeout = "300ms"
                """.formatted(socket, NAME, dns.resolver()));
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--config", config.toString()));
        InetSocketAddress web = daemon.awaitListener("web", TIMEOUT);
        daemon.awaitLine(DaemonProcess.READY_LINE, TIMEOUT);

        for (int i = 0; i < 20; i++) {
            echo(web, i);
        }
        assertTrue(one.accepted() + two.accepted() >= 20, "every session reached a discovered backend");
        String status = status();
        assertTrue(status.contains("discovery: srv " + NAME + " via " + dns.resolver() + ", refresh ttl 100ms..5m: "
                + "2 backend(s); next lookup in"), status);
        assertTrue(Pattern.compile("\\none\\.svc\\.test:" + one.address().getPort() + "\\s+127\\.0\\.0\\.1:"
                + one.address().getPort() + "\\s+3\\s").matcher(status).find(), status);

        dns.failure(FakeDns.Failure.SERVFAIL);
        daemon.awaitLine(Pattern.compile("pool web: discovery of " + Pattern.quote(NAME) + " \\(srv\\) failing: servfail"),
                TIMEOUT);
        status = status();
        assertTrue(status.contains("FAILING (servfail) since "), status);
        assertTrue(status.contains("keeping the last good set of 2 backend(s)"), status);
        for (int i = 0; i < 10; i++) {
            echo(web, 100 + i);
        }

        dns.failure(FakeDns.Failure.NONE);
        daemon.awaitLine(Pattern.compile("pool web: discovery of .* answers again"), TIMEOUT);
        Await.until(() -> {
            try {
                return !status().contains("FAILING");
            } catch (Exception e) {
                return false;
            }
        }, TIMEOUT, "status still failing");
    }
}
