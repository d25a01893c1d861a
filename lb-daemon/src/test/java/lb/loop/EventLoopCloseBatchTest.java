package lb.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import lb.testing.Await;

/**
 * Test thread and one event loop. Hundreds of channels closed in one pass (sessions reset together)
 * are closed a batch per pass, and every one of them is closed in the end: none is left open.
 */
class EventLoopCloseBatchTest {

    private static final int CHANNELS = 300; // several batches

    @Test
    void manyChannelsClosedInOnePassAreAllClosedABatchAtATime() throws Exception {
        EventLoop loop = new EventLoop(0, NanoClock.SYSTEM, 4096, 1 << 20);
        loop.start();
        List<SocketChannel> clients = new ArrayList<>();
        List<SocketChannel> accepted = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), CHANNELS);
            for (int i = 0; i < CHANNELS; i++) {
                clients.add(SocketChannel.open(server.getLocalAddress()));
                SocketChannel channel = server.accept();
                channel.configureBlocking(false);
                accepted.add(channel);
            }
            CountDownLatch registered = new CountDownLatch(1);
            List<SelectionKey> keys = new ArrayList<>();
            assertTrue(loop.submit(() -> {
                try {
                    for (SocketChannel channel : accepted) {
                        keys.add(channel.register(loop.selector(), 0, null));
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                registered.countDown();
            }));
            assertTrue(registered.await(10, TimeUnit.SECONDS));
            assertTrue(loop.submit(() -> keys.forEach(loop::closeAfterDeregistration)));
            Await.until(() -> accepted.stream().noneMatch(SocketChannel::isOpen), Duration.ofSeconds(10),
                    () -> accepted.stream().filter(SocketChannel::isOpen).count() + " still open");
            for (SocketChannel client : clients) {
                client.configureBlocking(true);
                assertEquals(-1, client.read(java.nio.ByteBuffer.allocate(1)), "the peer saw the close");
            }
        } finally {
            clients.forEach(c -> {
                try {
                    c.close();
                } catch (java.io.IOException ignored) {
                    // test cleanup
                }
            });
            loop.stop();
            assertTrue(loop.awaitTermination(Duration.ofSeconds(5)));
        }
    }
}
