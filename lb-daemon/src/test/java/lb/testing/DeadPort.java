package lb.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Any thread (stateless). Addresses on 127.0.0.1 where nothing listens, so connects are refused. */
public final class DeadPort {

    private DeadPort() {
    }

    /** Binds an ephemeral port and closes it again: connects to it are refused until someone binds it. */
    public static InetSocketAddress allocate() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }
    }
}
