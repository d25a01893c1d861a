package lb.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/**
 * Not thread-safe. An address on 127.0.0.1 that does not answer SYNs: a listening socket with
 * backlog 1 that never accepts, filled with connections until a further connect times out. Linux
 * drops SYNs once a listener's accept queue is full, so a connect there hangs until its timeout.
 */
public final class BlackHole implements AutoCloseable {

    private static final int PROBE_TIMEOUT_MS = 200;
    private static final int MAX_FILL = 16;

    private final ServerSocket server;
    private final List<Socket> fillers = new ArrayList<>();

    private BlackHole(ServerSocket server) {
        this.server = server;
    }

    /** Skips the calling test (assumption) if the kernel keeps answering SYNs. */
    public static BlackHole open() throws IOException {
        BlackHole hole = new BlackHole(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        try {
            for (int i = 0; i < MAX_FILL; i++) {
                Socket socket = new Socket();
                try {
                    socket.connect(hole.address(), PROBE_TIMEOUT_MS);
                    hole.fillers.add(socket);
                } catch (SocketTimeoutException e) {
                    socket.close();
                    return hole;
                }
            }
        } catch (IOException | RuntimeException e) {
            hole.close();
            throw e;
        }
        hole.close();
        Assumptions.abort("the kernel still completed connects after " + MAX_FILL
                + " unaccepted ones on a backlog-1 listener; cannot simulate a backend that drops SYNs");
        throw new AssertionError("unreachable");
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    @Override
    public void close() throws IOException {
        for (Socket socket : fillers) {
            socket.close();
        }
        server.close();
    }
}
