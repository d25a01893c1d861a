package lb.bench.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.bench.Bench;
import lb.testing.Cleanup;
import picocli.CommandLine;

/**
 * Test thread only. {@code bench backend --type tls-echo}: a JDK client sees the certificate of the
 * backend's name, the announcement, then its bytes echoed (large ones too); as a process it prints
 * its listening line; its options are refused for other types.
 */
class BenchTlsEchoBackendTest {

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

    /** A client that trusts anything, offering {@code serverName}. */
    private static SSLSocket connect(int port, String serverName) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(5_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    @Test
    void announcesItsNameUnderItsOwnCertificateThenEchoesEveryByte() throws Exception {
        TestBackend backend = cleanup.track(TestBackend.start(BackendType.TLS_ECHO, InetAddress.getLoopbackAddress(),
                List.of(0), TlsEcho.selfSigned("api.example.com", true)));
        try (SSLSocket socket = connect(backend.addresses().get(0).getPort(), "api.example.com")) {
            X509Certificate certificate = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            assertEquals("CN=api.example.com", certificate.getSubjectX500Principal().getName());
            assertEquals(List.of(List.of(2, "api.example.com")),
                    List.copyOf(certificate.getSubjectAlternativeNames()).stream().map(List::copyOf).toList());
            InputStream in = socket.getInputStream();
            assertArrayEquals("api.example.com\n".getBytes(StandardCharsets.UTF_8), in.readNBytes(16));
            byte[] request = new byte[300_000]; // many records, more than the socket buffers hold
            for (int i = 0; i < request.length; i++) {
                request[i] = (byte) (i * 31);
            }
            Thread writer = new Thread(() -> {
                try {
                    socket.getOutputStream().write(request);
                    socket.getOutputStream().flush();
                } catch (Exception e) {
                    // the assertion below reports what came back
                }
            }, "tls-writer");
            writer.start();
            assertArrayEquals(request, in.readNBytes(request.length));
            writer.join(5_000);
        }
        assertEquals(1, backend.stats().handshakes());
        assertEquals(300_000, backend.stats().bytesReceived());
    }

    @Test
    void runsAsAProcessAndPrintsItsListeningLine() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "lb.bench.Bench", "backend", "--type", "tls-echo", "--name", "org", "--announce", "--port", "0")
                .redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = lines.readLine();
            assertTrue(line != null && line.matches("tls-echo backend listening on 127\\.0\\.0\\.1:\\d+"), line);
            int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
            try (SSLSocket socket = connect(port, "www.example.org")) {
                assertArrayEquals("org\n".getBytes(StandardCharsets.UTF_8), socket.getInputStream().readNBytes(4));
            }
            process.toHandle().destroy(); // SIGTERM
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "still running 10 s after SIGTERM");
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void nameAndAnnounceAreForTlsEchoOnly() {
        assertEquals(2, run("backend", "--type", "echo", "--port", "0", "--name", "api"));
        assertTrue(err.toString().contains("--name is for --type tls-echo only"), err.toString());
        assertEquals(2, run("backend", "--type", "http", "--port", "0", "--announce"));
        assertTrue(err.toString().contains("--announce is for --type tls-echo only"), err.toString());
    }
}
