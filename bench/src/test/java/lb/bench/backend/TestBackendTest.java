package lb.bench.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.testing.Await;
import lb.testing.Cleanup;

/** Test thread only (plus one writer thread in the echo test). Each backend type on real loopback sockets. */
class TestBackendTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private TestBackend start(BackendType type, Integer... ports) throws Exception {
        return cleanup.track(TestBackend.start(type, InetAddress.getLoopbackAddress(), List.of(ports)));
    }

    private Socket connect(InetSocketAddress address) throws Exception {
        Socket socket = cleanup.track(new Socket());
        socket.connect(address, 2_000);
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        return socket;
    }

    @Test
    void echoReturnsExactlyWhatWasSentThenHalfClosesBack() throws Exception {
        TestBackend echo = start(BackendType.ECHO, 0);
        Socket socket = connect(echo.addresses().get(0));
        byte[] sent = new byte[3 * 1024 * 1024 + 17]; // more than socket buffers hold: back-pressure happens
        new Random(42).nextBytes(sent);
        // A writer thread, because the echo cannot all be buffered: reading and writing must overlap.
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                out.write(sent);
                out.flush();
                socket.shutdownOutput();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        byte[] received = socket.getInputStream().readAllBytes(); // ends when the backend half-closes back
        writer.get();
        assertEquals(sent.length, received.length);
        assertEquals(crc(sent), crc(received));
        Await.until(() -> echo.stats().open() == 0, TIMEOUT, "echo closes after echoing everything");
        assertEquals(sent.length, echo.stats().bytesReceived());
        assertEquals(sent.length, echo.stats().bytesSent());
    }

    @Test
    void everyPortGivenIsServedAndPortZeroPicksAFreeOne() throws Exception {
        TestBackend echo = start(BackendType.ECHO, 0, 0);
        assertEquals(2, echo.addresses().size());
        assertNotEquals(echo.addresses().get(0).getPort(), echo.addresses().get(1).getPort());
        for (InetSocketAddress address : echo.addresses()) {
            Socket socket = connect(address);
            socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("ping".getBytes(StandardCharsets.US_ASCII), socket.getInputStream().readNBytes(4));
        }
    }

    @Test
    void httpAnswersGetsWith200NamingTheBackendOverOneKeptAliveConnection() throws Exception {
        TestBackend http = start(BackendType.HTTP, 0);
        InetSocketAddress address = http.addresses().get(0);
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        for (String path : List.of("/", "/health", "/a/b?c=d")) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + address.getPort() + path)).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("http backend 127.0.0.1:" + address.getPort() + "\n", response.body());
        }
        assertEquals(3, http.stats().requests());
        assertEquals(1, http.stats().accepted(), "HTTP/1.1 keep-alive: one connection for the three requests");
    }

    @Test
    void httpClosesAfterAnHttp10RequestAsHealthChecksSendIt() throws Exception {
        TestBackend http = start(BackendType.HTTP, 0);
        Socket socket = connect(http.addresses().get(0));
        // What lb's HttpProbe sends.
        socket.getOutputStream().write(("GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "User-Agent: lb-health\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII); // to EOF
        assertTrue(reply.startsWith("HTTP/1.1 200 OK\r\n"), reply);
        assertTrue(reply.contains("Connection: close\r\n"), reply);
        assertTrue(reply.endsWith("\r\n\r\nhttp backend 127.0.0.1:" + http.addresses().get(0).getPort() + "\n"), reply);
    }

    @Test
    void httpAnswersPipelinedRequestsInOrder() throws Exception {
        TestBackend http = start(BackendType.HTTP, 0);
        Socket socket = connect(http.addresses().get(0));
        String request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        socket.getOutputStream().write((request + request + request.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"))
                .getBytes(StandardCharsets.US_ASCII));
        String replies = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(3, replies.split("HTTP/1.1 200 OK", -1).length - 1, replies);
        assertTrue(replies.endsWith("\n"), replies);
    }

    @Test
    void sourceWritesUntilTheClientLeaves() throws Exception {
        TestBackend source = start(BackendType.SOURCE, 0);
        Socket socket = connect(source.addresses().get(0));
        InputStream in = socket.getInputStream();
        byte[] chunk = in.readNBytes(4 * 1024 * 1024);
        assertEquals(4 * 1024 * 1024, chunk.length);
        socket.close();
        Await.until(() -> source.stats().open() == 0, TIMEOUT, "source closes once the client has gone");
        assertTrue(source.stats().bytesSent() >= chunk.length);
    }

    @Test
    void sinkReadsEverythingAndSendsNothing() throws Exception {
        TestBackend sink = start(BackendType.SINK, 0);
        Socket socket = connect(sink.addresses().get(0));
        byte[] sent = new byte[2 * 1024 * 1024];
        socket.getOutputStream().write(sent);
        socket.shutdownOutput();
        assertEquals(-1, socket.getInputStream().read(), "a sink answers nothing and closes at our end of stream");
        Await.until(() -> sink.stats().bytesReceived() == sent.length, TIMEOUT,
                () -> "sink received " + sink.stats().bytesReceived());
        assertEquals(0, sink.stats().bytesSent());
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
