package lb.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Test thread only. Every case runs against a real backend on 127.0.0.1:0. */
class DemoBackendTest {

    // Every blocking read in these tests gives up after this: a deadline, never a sleep.
    private static final int READ_DEADLINE_MS = 10_000;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void httpGetGets200WithBodyNamingTheBackend() throws IOException {
        DemoBackend backend = start("alpha");
        int port = backend.address().getPort();
        try (Socket socket = connect(backend)) {
            send(socket, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n");
            String body = "hello from alpha (127.0.0.1:" + port + ")\n";
            assertEquals("HTTP/1.1 200 OK\r\n"
                    + "Content-Type: text/plain\r\n"
                    + "Content-Length: " + body.length() + "\r\n"
                    + "Connection: close\r\n"
                    + "\r\n"
                    + body, readToEof(socket));
        }
    }

    @Test
    void realHttpClientReadsTheAnswer() throws Exception {
        DemoBackend backend = start("beta");
        int port = backend.address().getPort();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/any/path?x=1"))
                        .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("hello from beta (127.0.0.1:" + port + ")\n", response.body());
        assertEquals("text/plain", response.headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    void headRequestGetsHeadersWithoutBody() throws IOException {
        DemoBackend backend = start("gamma");
        try (Socket socket = connect(backend)) {
            send(socket, "HEAD / HTTP/1.0\r\n\r\n");
            String answer = readToEof(socket);
            assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
            assertTrue(answer.endsWith("Connection: close\r\n\r\n"), answer);
        }
    }

    @Test
    void httpRequestWithBodyStillGetsTheAnswer() throws IOException {
        // The unread body must not turn the close into an RST that eats the response.
        DemoBackend backend = start("delta");
        try (Socket socket = connect(backend)) {
            String body = "x".repeat(20_000);
            send(socket, "POST /submit HTTP/1.1\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            socket.shutdownOutput();
            assertTrue(readToEof(socket).startsWith("HTTP/1.1 200 OK\r\n"));
        }
    }

    @Test
    void ncStyleLinesAreAnsweredUntilEof() throws IOException {
        DemoBackend backend = start("epsilon");
        String prefix = "epsilon (127.0.0.1:" + backend.address().getPort() + "): ";
        try (Socket socket = connect(backend)) {
            send(socket, "hello\n");
            assertEquals(prefix + "hello", readLine(socket));
            send(socket, "with CRLF and ünïcödé\r\n");
            assertEquals(prefix + "with CRLF and ünïcödé", readLine(socket));
            send(socket, "\nGET / HTTP/1.1\n");
            assertEquals(prefix, readLine(socket));
            assertEquals(prefix + "GET / HTTP/1.1", readLine(socket), "only the first line can start HTTP");
            send(socket, "no newline before EOF");
            socket.shutdownOutput();
            assertEquals(prefix + "no newline before EOF", readLine(socket));
            assertEquals(-1, socket.getInputStream().read(), "closes after the client's EOF");
        }
    }

    @Test
    void overLongFirstLineIsClosed() throws IOException {
        DemoBackend backend = start("zeta");
        try (Socket socket = connect(backend)) {
            sendIgnoringReset(socket, "y".repeat(DemoBackend.MAX_LINE_BYTES + 100));
            assertClosedWithoutAnswer(socket);
        }
    }

    @Test
    void lineOfExactlyTheLimitIsAnswered() throws IOException {
        DemoBackend backend = start("eta");
        try (Socket socket = connect(backend)) {
            String line = "z".repeat(DemoBackend.MAX_LINE_BYTES);
            send(socket, line + "\r\n");
            assertTrue(readLine(socket).endsWith(": " + line));
        }
    }

    @Test
    void overLongLaterLineIsClosed() throws IOException {
        DemoBackend backend = start("theta");
        try (Socket socket = connect(backend)) {
            send(socket, "short\n");
            assertTrue(readLine(socket).endsWith(": short"));
            sendIgnoringReset(socket, "y".repeat(DemoBackend.MAX_LINE_BYTES + 1) + "\n");
            assertClosedWithoutAnswer(socket);
        }
    }

    @Test
    void tooManyHeaderLinesAreClosedWithoutAnswer() throws IOException {
        DemoBackend backend = start("iota");
        try (Socket socket = connect(backend)) {
            StringBuilder request = new StringBuilder("GET / HTTP/1.1\r\n");
            for (int i = 0; i <= DemoBackend.MAX_HEADER_LINES; i++) {
                request.append("X-H").append(i).append(": v\r\n");
            }
            sendIgnoringReset(socket, request.append("\r\n").toString());
            assertClosedWithoutAnswer(socket);
        }
    }

    @Test
    void silentClientIsClosedAfterTheFirstLineTimeout() throws IOException {
        DemoBackend backend = DemoBackend.startForTest("kappa", loopbackAnyPort(), TimeUnit.MILLISECONDS.toNanos(200));
        toClose.add(backend);
        try (Socket socket = connect(backend)) {
            long startNs = System.nanoTime();
            assertClosedWithoutAnswer(socket);
            assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(150));
        }
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnce() throws IOException {
        DemoBackend backend = start("lambda");
        List<Socket> admitted = new ArrayList<>();
        try {
            for (int i = 0; i < DemoBackend.MAX_CONNECTIONS; i++) {
                Socket socket = connect(backend);
                admitted.add(socket);
                // An answer proves the backend holds this connection before the next one arrives.
                send(socket, "c" + i + "\n");
                assertTrue(readLine(socket).endsWith(": c" + i));
            }
            try (Socket extra = connect(backend)) {
                assertClosedWithoutAnswer(extra);
            }
            admitted.remove(0).close();
            // The freed slot is released by the backend's thread on its own time: retry until a deadline.
            long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READ_DEADLINE_MS);
            while (true) {
                try (Socket retry = connect(backend)) {
                    send(retry, "again\n");
                    String answer = readLine(retry);
                    if (answer != null) {
                        assertTrue(answer.endsWith(": again"));
                        break;
                    }
                } catch (SocketException e) {
                    // refused slot: the old connection is not released yet
                }
                if (System.nanoTime() > deadlineNs) {
                    fail("no slot came free after a connection closed");
                }
            }
            Socket stillServed = admitted.get(admitted.size() - 1);
            send(stillServed, "still here\n");
            assertTrue(readLine(stillServed).endsWith(": still here"));
        } finally {
            for (Socket socket : admitted) {
                socket.close();
            }
        }
    }

    @Test
    void closeEndsThreadsClosesConnectionsAndFreesThePort() throws IOException {
        DemoBackend backend = start("mu");
        InetSocketAddress address = backend.address();
        assertNotEquals(0, address.getPort());
        try (Socket idle = connect(backend)) {
            send(idle, "ping\n");
            assertTrue(readLine(idle).endsWith(": ping"));
            assertTrue(liveThreadNames("demo-mu-").contains("demo-mu-accept"));
            assertTrue(liveThreadNames("demo-mu-").stream().anyMatch(n -> n.startsWith("demo-mu-conn-")));

            backend.close();

            assertEquals(List.of(), liveThreadNames("demo-mu-"));
            assertEquals(-1, readOrReset(idle), "open connections are closed too");
        }
        try (DemoBackend again = DemoBackend.start("mu-again", address)) {
            assertEquals(address.getPort(), again.address().getPort());
            try (Socket socket = connect(again)) {
                send(socket, "pong\n");
                assertTrue(readLine(socket).startsWith("mu-again (127.0.0.1:" + address.getPort() + "): "));
            }
        }
        backend.close(); // idempotent
    }

    @Test
    void requestLineShapeDecidesHttp() {
        assertTrue(isHttp("GET / HTTP/1.1"));
        assertTrue(isHttp("OPTIONS * HTTP/1.0"));
        assertTrue(isHttp("M-SEARCH /x?y=z HTTP/1.1"));
        assertFalse(isHttp("GET / HTTP/2"));
        assertFalse(isHttp("GET /"));
        assertFalse(isHttp("hello there"));
        assertFalse(isHttp("GET  / HTTP/1.1"));
        assertFalse(isHttp("GET / HTTP/1.1 extra"));
    }

    private static boolean isHttp(String line) {
        return DemoBackend.isHttpRequestLine(line.getBytes(StandardCharsets.ISO_8859_1));
    }

    private DemoBackend start(String name) throws IOException {
        DemoBackend backend = DemoBackend.start(name, loopbackAnyPort());
        toClose.add(backend);
        return backend;
    }

    private static InetSocketAddress loopbackAnyPort() {
        return new InetSocketAddress("127.0.0.1", 0);
    }

    private static Socket connect(DemoBackend backend) throws IOException {
        Socket socket = new Socket();
        socket.connect(backend.address(), READ_DEADLINE_MS);
        socket.setSoTimeout(READ_DEADLINE_MS);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The backend may close (and reset) while a big write is still going; that is the point. */
    private static void sendIgnoringReset(Socket socket, String text) {
        try {
            send(socket, text);
        } catch (IOException e) {
            // connection already closed by the backend
        }
    }

    /** One LF-ended line without the LF, or null at EOF. */
    private static String readLine(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static String readToEof(Socket socket) throws IOException {
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** -1 for a clean or aborted close by the peer; fails on data or on hitting the read deadline. */
    private static int readOrReset(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("peer did not close within " + READ_DEADLINE_MS + " ms", e);
        } catch (SocketException e) {
            // Closing with unread input sends RST (RFC 1122 4.2.2.13): also a close.
            return -1;
        }
    }

    private static void assertClosedWithoutAnswer(Socket socket) throws IOException {
        assertEquals(-1, readOrReset(socket), "expected the backend to close without answering");
    }

    private static List<String> liveThreadNames(String prefix) {
        List<String> names = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && thread.getName().startsWith(prefix)) {
                names.add(thread.getName());
            }
        }
        return names;
    }
}
