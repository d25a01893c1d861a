package lb.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Any thread may call the public methods; one thread accepts, one per connection serves. A TLS
 * server on 127.0.0.1 with a self-signed certificate made at first use by the JDK's keytool: after
 * the handshake it writes its name and the ALPN protocol it agreed ("api h2\n"), then echoes. Also
 * the matching client: {@link #connect} trusts any certificate (tests only).
 */
public final class TlsBackend implements AutoCloseable {

    private static final char[] PASSWORD = "changeit".toCharArray();
    private static SSLContext serverContext;

    private final String name;
    private final SSLServerSocket server;
    private final Thread acceptor;
    private final ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();

    private TlsBackend(String name, SSLServerSocket server) {
        this.name = name;
        this.server = server;
        this.acceptor = new Thread(this::accept, "tls-" + name);
        this.acceptor.setDaemon(true);
    }

    /** Serves on an ephemeral port, agreeing the first of {@code alpn} the client offers (if any). */
    public static TlsBackend start(String name, String... alpn) throws Exception {
        SSLServerSocket server = (SSLServerSocket) context().getServerSocketFactory().createServerSocket(0, 128,
                InetAddress.getLoopbackAddress());
        SSLParameters parameters = server.getSSLParameters();
        parameters.setApplicationProtocols(alpn);
        server.setSSLParameters(parameters);
        TlsBackend backend = new TlsBackend(name, server);
        backend.acceptor.start();
        return backend;
    }

    /** One key pair for every backend of the test run: keytool is slow, the certificate is never checked. */
    private static synchronized SSLContext context() throws Exception {
        if (serverContext == null) {
            Path dir = Files.createTempDirectory("lb-tls-test");
            Path store = dir.resolve("backend.p12");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "backend", "-keyalg", "EC",
                    "-dname", "CN=backend.test", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                    "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)).redirectErrorStream(true)
                    .start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + output);
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, PASSWORD);
            }
            Files.delete(store);
            Files.delete(dir);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            serverContext = context;
        }
        return serverContext;
    }

    /**
     * A TLS client to {@code address} asking for {@code serverName} (null: no SNI) and offering
     * {@code alpn}, handshake done; it trusts any certificate.
     */
    public static SSLSocket connect(InetSocketAddress address, String serverName, String... alpn) throws Exception {
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
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        try {
            socket.setSoTimeout(10_000);
            socket.connect(address, 5_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
            parameters.setApplicationProtocols(alpn);
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket;
        } catch (Exception e) {
            socket.close();
            throw e;
        }
    }

    /** The line a backend writes first: "name alpn" ("-" for no ALPN agreed). */
    public static String greeting(SSLSocket socket) throws IOException {
        StringBuilder line = new StringBuilder();
        InputStream in = socket.getInputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.append((char) b);
        }
        return line.toString();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                SSLSocket socket = (SSLSocket) server.accept();
                sockets.add(socket);
                Thread serve = new Thread(() -> serve(socket), "tls-" + name + "-conn");
                serve.setDaemon(true);
                serve.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(SSLSocket socket) {
        try (socket) {
            socket.startHandshake();
            String alpn = socket.getApplicationProtocol();
            OutputStream out = socket.getOutputStream();
            out.write((name + " " + (alpn == null || alpn.isEmpty() ? "-" : alpn) + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.getInputStream().transferTo(out);
        } catch (IOException e) {
            // the client went away, or the handshake failed (a test that expects it checks the client side)
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
