package lb.health;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Its own accept thread; any thread may call the rest. A backend for health probes: records when
 * each connection arrived, then answers with whatever the current {@link Reply} says (switchable
 * while running), one connection at a time (probes are short).
 */
final class ProbeServer implements AutoCloseable {

    /** What to do with one connection. */
    @FunctionalInterface
    interface Reply {
        void handle(Socket socket) throws IOException;
    }

    /** Accept and close at once (a TCP check passes). */
    static final Reply ACCEPT = socket -> { };

    private final ServerSocket server;
    private final Thread thread;
    private final List<Long> acceptedNs = new CopyOnWriteArrayList<>();
    private final AtomicReference<Reply> reply;

    private ProbeServer(ServerSocket server, Reply reply) {
        this.server = server;
        this.reply = new AtomicReference<>(reply);
        this.thread = new Thread(this::serve, "probe-server");
        this.thread.setDaemon(true);
    }

    static ProbeServer start(int port, Reply reply) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        ProbeServer probeServer = new ProbeServer(server, reply);
        probeServer.thread.start();
        return probeServer;
    }

    /** An HTTP server answering every request with {@code status}. */
    static Reply http(int status) {
        return socket -> {
            InputStream in = socket.getInputStream();
            // Read the request head: up to the blank line.
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            int b;
            while (matched < 4 && (b = in.read()) >= 0) {
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.0 " + status + " Status\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        };
    }

    /** Reads {@code request.length} bytes, then answers {@code answer}. */
    static Reply sendExpect(String request, String answer) {
        return socket -> {
            socket.getInputStream().readNBytes(request.length());
            socket.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        };
    }

    void reply(Reply next) {
        reply.set(next);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    int port() {
        return server.getLocalPort();
    }

    /** nanoTime of each accepted connection so far. */
    List<Long> acceptedNs() {
        return List.copyOf(acceptedNs);
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                acceptedNs.add(System.nanoTime());
                socket.setSoTimeout(2_000);
                reply.get().handle(socket);
            } catch (IOException e) {
                // closed, or a probe gave up: next connection
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
