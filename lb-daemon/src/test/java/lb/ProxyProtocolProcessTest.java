package lb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.DaemonProcess;
import lb.testing.Payload;
import lb.testing.ScriptedBackend;

/**
 * Test thread only. Two daemon processes in a row, the first sending PROXY v2 to the second, which
 * takes it (from trusted 127.0.0.0/8 only) and sends v1 to the backend: a client connecting from
 * 127.0.0.2 is named so at the far end and in the second daemon's access log, two hops away.
 */
class ProxyProtocolProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private DaemonProcess daemon(String name, String listenerKeys, String poolKeys, int backendPort) throws Exception {
        Path config = dir.resolve(name + ".toml");
        Files.writeString(config, """
                [daemon]
                workers = 2
                admin_socket = "%s"
                [[listener]]
                name = "%s"
                bind = "127.0.0.1:0"
                pool = "next"
                %s
                [[pool]]
                name = "next"
                %s
                [[pool.backend]]
                name = "only"
                address = "127.0.0.1:%d"
                """.formatted(dir.resolve(name + ".sock"), name, listenerKeys, poolKeys, backendPort));
        return cleanup.track(DaemonProcess.start("--config", config.toString()));
    }

    @Test
    void theClientAddressSurvivesTwoHops() throws Exception {
        BlockingQueue<String> headers = new LinkedBlockingQueue<>();
        ScriptedBackend backend = cleanup.track(ScriptedBackend.start("far", (socket, self) -> {
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.append((char) b);
            }
            headers.add(line.toString());
            in.transferTo(socket.getOutputStream());
        }));
        DaemonProcess second = daemon("second", """
                proxy_protocol = "v2"
                proxy_protocol_trusted = ["127.0.0.0/8"]
                """, "proxy_protocol = \"v1\"", backend.address().getPort());
        InetSocketAddress secondAddress = second.awaitListener("second", TIMEOUT);
        DaemonProcess first = daemon("first", "", "proxy_protocol = \"v2\"", secondAddress.getPort());
        InetSocketAddress firstAddress = first.awaitListener("first", TIMEOUT);
        second.awaitLine(DaemonProcess.READY_LINE, TIMEOUT);
        first.awaitLine(DaemonProcess.READY_LINE, TIMEOUT);

        InetAddress from = InetAddress.getByName("127.0.0.2");
        int clientPort;
        try (Client client = Client.connectFrom(from, firstAddress)) {
            clientPort = client.socket().getLocalPort();
            byte[] payload = Payload.random(7, 300_000);
            client.send(payload);
            assertArrayEquals(Payload.sha256(payload), Payload.sha256(client.readExactly(payload.length)),
                    "echoed intact through both daemons");
            String header = headers.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertEquals("PROXY TCP4 127.0.0.2 127.0.0.1 " + clientPort + " " + firstAddress.getPort() + "\r",
                    header, "the far end names the original client and the address it connected to");
        }
        // The second daemon's access log names the original client, not the first daemon.
        second.awaitLine(Pattern.compile("client=127\\.0\\.0\\.2:" + clientPort + " listener=second backend=only "
                + "up=300000 down=300000 .* end=completed"), TIMEOUT);
    }
}
