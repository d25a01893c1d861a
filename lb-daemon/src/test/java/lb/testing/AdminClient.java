package lb.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Test thread only. A client of a daemon's admin socket speaking its JSON lines, blocking. */
public final class AdminClient implements AutoCloseable {

    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    public AdminClient(Path path) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(path));
        in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        out = Channels.newOutputStream(channel);
    }

    /** One request on a connection of its own; the first reply line. */
    public static String call(Path socket, String request) throws IOException {
        try (AdminClient client = new AdminClient(socket)) {
            return client.call(request);
        }
    }

    /** Sends {@code line} and returns the first reply line. */
    public String call(String line) throws IOException {
        write(line + "\n");
        return readLine();
    }

    /** Sends raw text (tests of malformed input). */
    public void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next reply line, or null once the daemon closed the connection. */
    public String readLine() throws IOException {
        return in.readLine();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
