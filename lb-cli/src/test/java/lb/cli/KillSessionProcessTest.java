package lb.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import lb.testing.Payload;

/**
 * Test thread only. {@code lb-cli kill-session} as processes against a real daemon process: by id, by
 * client address, by backend; the killed client's connection is reset while the others keep relaying
 * intact data; exit 6 when none matched, 2 when nothing was chosen.
 */
class KillSessionProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private Path socket;
    private long seed;

    private CliProcess cli(String... args) throws Exception {
        CliProcess cli = cleanup.track(CliProcess.start(socket, args));
        cli.awaitExit(TIMEOUT);
        return cli;
    }

    /** Echoes a fresh payload through {@code client}, comparing checksums. */
    private void exchange(Client client) throws Exception {
        byte[] sent = Payload.random(++seed, 16 * 1024);
        client.send(sent);
        assertArrayEquals(Payload.sha256(sent), Payload.sha256(client.readExactly(sent.length)), "echoed intact");
    }

    /** The session listing, as {@code --json sessions} gives it. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> sessions() throws Exception {
        CliProcess list = cli("--json", "sessions");
        assertEquals(0, list.awaitExit(TIMEOUT), list.output());
        Map<String, Object> reply = (Map<String, Object>) Json.parse(list.stdout().trim());
        return (List<Map<String, Object>>) ((Map<String, Object>) reply.get("result")).get("sessions");
    }

    private static Map<String, Object> sessionOf(List<Map<String, Object>> sessions, Client client) {
        String address = "127.0.0.1:" + client.socket().getLocalPort();
        return sessions.stream().filter(s -> address.equals(s.get("client"))).findFirst().orElse(null);
    }

    @Test
    void killsByIdByClientAndByBackendAndSaysWhenNoneMatched() throws Exception {
        EchoBackend a = cleanup.track(EchoBackend.start("a"));
        EchoBackend b = cleanup.track(EchoBackend.start("b"));
        socket = dir.resolve("admin.sock");
        Path config = dir.resolve("lb.toml");
        Files.writeString(config, """
                [daemon]
                workers = 1
                admin_socket = "%s"
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                algorithm = "round_robin"
                [[pool.backend]]
                name = "a"
                address = "127.0.0.1:%d"
                [[pool.backend]]
                name = "b"
                address = "127.0.0.1:%d"
                """.formatted(socket, a.address().getPort(), b.address().getPort()));
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--config", config.toString()));
        InetSocketAddress web = daemon.awaitListener("web", TIMEOUT);
        daemon.awaitLine(DaemonProcess.READY_LINE, TIMEOUT);

        Client c1 = cleanup.track(Client.connect(web));
        Client c2 = cleanup.track(Client.connect(web));
        Client c3 = cleanup.track(Client.connect(web));
        for (Client c : List.of(c1, c2, c3)) {
            exchange(c);
        }
        List<Map<String, Object>> listed = sessions();
        assertEquals(3, listed.size(), listed.toString());
        Map<String, Object> s1 = sessionOf(listed, c1);
        Map<String, Object> s3 = sessionOf(listed, c3);
        assertNotNull(s1, listed.toString());
        assertNotNull(s3, listed.toString());

        CliProcess byId = cli("kill-session", String.valueOf(s1.get("id")));
        assertEquals(0, byId.awaitExit(TIMEOUT), byId.output());
        assertEquals("1 session(s) reset\n", byId.stdout());
        assertEquals(Client.End.RESET, c1.awaitEnd(), "killed: reset");
        exchange(c2);
        exchange(c3);

        CliProcess byClient = cli("kill-session", "--client", "127.0.0.1:" + c2.socket().getLocalPort());
        assertEquals(0, byClient.awaitExit(TIMEOUT), byClient.output());
        assertEquals(Client.End.RESET, c2.awaitEnd());
        exchange(c3);
        assertEquals(1, sessions().size());

        CliProcess unknown = cli("kill-session", "999999");
        assertEquals(6, unknown.awaitExit(TIMEOUT), "none matched: exit 6 " + unknown.output());
        assertEquals("0 session(s) reset\n", unknown.stdout());
        exchange(c3);

        String other = "web/a".equals(s3.get("backend")) ? "web/b" : "web/a";
        CliProcess wrongBackend = cli("kill-session", "--backend", other);
        assertEquals(6, wrongBackend.awaitExit(TIMEOUT), wrongBackend.output());
        CliProcess byBackend = cli("kill-session", "--backend", (String) s3.get("backend"));
        assertEquals(0, byBackend.awaitExit(TIMEOUT), byBackend.output());
        assertEquals(Client.End.RESET, c3.awaitEnd());
        assertEquals(0, sessions().size());

        CliProcess none = cli("kill-session");
        assertEquals(2, none.awaitExit(TIMEOUT), none.output());
    }
}
