package lb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.protocol.Json;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.DaemonProcess;
import lb.testing.EchoBackend;

/**
 * Test thread only. {@code lb-cli sources} and the refusals in {@code lb-cli stats}, as processes
 * against a daemon process whose listener limits each source to 3 connections and denies one.
 */
class SourcesProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private Path socket;

    private CliProcess cli(String... args) throws Exception {
        CliProcess cli = cleanup.track(CliProcess.start(socket, args));
        assertEquals(0, cli.awaitExit(TIMEOUT), cli.output());
        return cli;
    }

    /** A client from {@code from}, or null when lb reset it so soon that the connect call saw it. */
    private Client connect(String from, InetSocketAddress to) throws Exception {
        try {
            return cleanup.track(Client.connectFrom(InetAddress.getByName(from), to));
        } catch (java.net.SocketException e) {
            return null;
        }
    }

    private static boolean served(Client c) {
        try {
            c.send(new byte[] {7});
            return c.readExactly(1)[0] == 7;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void listsTheBusiestSourcesAndCountsRefusals() throws Exception {
        EchoBackend backend = cleanup.track(EchoBackend.start("echo"));
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
                source_max_connections = 3
                deny = ["127.0.0.66"]
                [[listener]]
                name = "plain"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                [[pool.backend]]
                name = "echo"
                address = "127.0.0.1:%d"
                """.formatted(socket, backend.address().getPort()));
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--config", config.toString()));
        InetSocketAddress web = daemon.awaitListener("web", TIMEOUT);
        daemon.awaitLine(DaemonProcess.READY_LINE, TIMEOUT);

        List<Client> held = new ArrayList<>();
        int servedFive = 0;
        for (int i = 0; i < 5; i++) {
            Client c = connect("127.0.0.5", web);
            if (c != null && served(c)) {
                servedFive++;
                held.add(c);
            }
        }
        assertEquals(3, servedFive, "source_max_connections = 3");
        Client six = cleanup.track(Client.connectFrom(InetAddress.getByName("127.0.0.6"), web));
        assertTrue(served(six));
        Client denied = connect("127.0.0.66", web);
        assertTrue(denied == null || !served(denied), "denied");

        CliProcess table = cli("sources");
        String[] lines = table.stdout().split("\n");
        assertTrue(lines[0].matches("LISTENER\\s+SOURCE\\s+CONNECTIONS\\s+NEW/S"), table.stdout());
        assertTrue(lines[1].matches("web\\s+127\\.0\\.0\\.5/32\\s+3\\s+\\d+\\.\\d"), table.stdout());
        assertTrue(lines[2].matches("web\\s+127\\.0\\.0\\.6/32\\s+1\\s+\\d+\\.\\d"), table.stdout());
        assertTrue(table.stdout().contains("web: 2 source(s) tracked"), table.stdout());
        assertTrue(table.stdout().contains("plain: no per-source limit, sources not tracked"), table.stdout());

        Map<String, Object> json = (Map<String, Object>) Json.parse(cli("--json", "sources", "--limit", "1").stdout());
        List<Map<String, Object>> sources = (List<Map<String, Object>>) ((Map<String, Object>) json.get("result"))
                .get("sources");
        assertEquals(1, sources.size());
        assertEquals("127.0.0.5/32", sources.get(0).get("source"));
        assertEquals(3L, ((Number) sources.get(0).get("connections")).longValue());

        CliProcess stats = cli("stats");
        assertTrue(stats.stdout().contains("denied 1, source_connections 2"), stats.stdout());

        CliProcess unknown = cleanup.track(CliProcess.start(socket, "sources", "--listener", "nope"));
        assertEquals(1, unknown.awaitExit(TIMEOUT), unknown.output());
        assertTrue(unknown.output().contains("no listener named \"nope\""), unknown.output());
        for (Client c : held) {
            c.close();
        }
    }
}
