package lb.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.Daemon;
import lb.config.ConfigLoader;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.EchoBackend;
import lb.testing.Payload;

/**
 * Test thread, a streaming backend's threads. Clients that never read, behind a streaming backend,
 * fill the loop's whole buffer pool; a well-behaved echo client on another listener of the same
 * loop still gets every exchange answered at once, with nobody closed to make room for it: a
 * session whose sink has always kept up reads on while the pool is full (it needs no buffer, and
 * the pool's reserve would catch it if it did). Memory stays within the pool's bound.
 */
class StalledReadersTest {

    private static final int ABUSERS = 40;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    /** Accepts connections and writes to each, forever, until closed: a backend that streams. */
    private static final class Streamer implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 200, java.net.InetAddress.getLoopbackAddress());
        final List<Socket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
        final Thread acceptor = new Thread(this::acceptAll, "streamer");

        Streamer() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void acceptAll() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    Thread writer = new Thread(() -> {
                        byte[] chunk = new byte[16 * 1024];
                        try (OutputStream out = s.getOutputStream()) {
                            for (int i = 0; i < 100_000 && !s.isClosed(); i++) { // bounded: 1.6 GB at most
                                out.write(chunk);
                            }
                        } catch (IOException e) {
                            // closed by lb or by close(): done
                        }
                    }, "streamer-writer");
                    writer.setDaemon(true);
                    writer.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    @Test
    void neverReadingClientsCannotStarveAnEchoClientOnTheSameLoop() throws Exception {
        Streamer streamer = cleanup.track(new Streamer());
        EchoBackend echo = cleanup.track(EchoBackend.start("echo"));
        Path file = dir.resolve("lb.toml");
        Files.writeString(file, """
                [daemon]
                workers = 1
                access_log = false
                admin_socket = ""
                buffer_size = "4KiB"
                buffer_pool_max = "64KiB"
                [[listener]]
                name = "stream"
                bind = "127.0.0.1:0"
                pool = "stream"
                send_buffer = "4KiB"
                [[listener]]
                name = "echo"
                bind = "127.0.0.1:0"
                pool = "echo"
                [[pool]]
                name = "stream"
                [[pool.backend]]
                name = "s"
                address = "127.0.0.1:%d"
                [[pool]]
                name = "echo"
                [[pool.backend]]
                name = "e"
                address = "127.0.0.1:%d"
                """.formatted(streamer.port(), echo.address().getPort()));
        Daemon daemon = cleanup.track(Daemon.start(ConfigLoader.load(file)));
        InetSocketAddress stream = daemon.listenerAddress("stream");
        for (int i = 0; i < ABUSERS; i++) {
            Socket abuser = new Socket();
            abuser.setReceiveBufferSize(4096);
            abuser.connect(stream);
            cleanup.track(abuser); // never reads
        }
        Await.until(() -> daemon.pooledBytesInUse() == daemon.pooledBytesMax(), Duration.ofSeconds(20),
                () -> "the abusers hold the whole pool: " + daemon.pooledBytesInUse() + " of " + daemon.pooledBytesMax());

        Client client = cleanup.track(Client.connect(daemon.listenerAddress("echo")));
        for (int i = 0; i < 10; i++) {
            byte[] payload = Payload.random(i, 1024);
            client.send(payload);
            assertArrayEquals(payload, client.readExactly(payload.length), "exchange " + i + " answered intact");
            assertTrue(daemon.pooledBytesInUse() <= daemon.pooledBytesMax(), "within the pool's bound");
        }
        // Before the reserve, the echo session waited for a buffer until a stalled holder was closed.
        assertEquals(0, daemon.loops().loop(0).buffers().evictions(), "no stalled session had to be closed for it");
        assertEquals(daemon.pooledBytesMax(), daemon.pooledBytesInUse(), "the abusers still hold the whole pool");
    }
}
