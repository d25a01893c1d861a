package lb.systemd;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The test thread only. What systemd would be: a bound Unix datagram socket whose address goes into
 * a fake environment as NOTIFY_SOCKET, and whose datagrams the test reads one by one.
 */
final class NotifySocket implements AutoCloseable {

    private final AFUNIXDatagramSocket socket;
    private final String name;
    private final byte[] buffer = new byte[4096];

    private NotifySocket(AFUNIXSocketAddress address, String name) throws IOException {
        this.socket = AFUNIXDatagramSocket.newInstance();
        this.socket.bind(address);
        this.name = name;
    }

    /** Bound at {@code path} (a file, removed on close). */
    static NotifySocket atPath(Path path) throws IOException {
        return new NotifySocket(AFUNIXSocketAddress.of(path), path.toString());
    }

    /** Bound in the abstract namespace, at a name no other test uses: {@code @lb-test-<random>}. */
    static NotifySocket abstractAddress() throws IOException {
        String name = "lb-test-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        return new NotifySocket(AFUNIXSocketAddress.inAbstractNamespace(name), "@" + name);
    }

    /** NOTIFY_SOCKET's value for this socket. */
    String name() {
        return name;
    }

    /** An environment with NOTIFY_SOCKET set to this socket, plus {@code more} (key, value, ...). */
    Map<String, String> env(String... more) {
        java.util.HashMap<String, String> env = new java.util.HashMap<>();
        env.put(SystemdNotifier.NOTIFY_SOCKET, name);
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    /** The next datagram's text, or null if none comes within {@code timeout}. */
    String receive(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(packet.getData(), packet.getOffset(), packet.getLength(), StandardCharsets.UTF_8);
    }

    /** Reads and drops whatever is queued now; returns how many datagrams that was. */
    int drain() throws IOException {
        int n = 0;
        while (receive(Duration.ofMillis(1)) != null) {
            n++;
        }
        return n;
    }

    @Override
    public void close() {
        socket.close();
    }
}
