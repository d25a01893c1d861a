package lb.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Not thread-safe. A blocking client socket for tests, with every read bounded by a timeout so a
 * misbehaving daemon fails the test instead of hanging it.
 */
public final class Client implements AutoCloseable {

    /** How the far side ended the connection. */
    public enum End { EOF, RESET }

    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
    private static final int CONNECT_TIMEOUT_MS = 2_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private Client(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public static Client connect(InetSocketAddress address) throws IOException {
        return connectFrom(null, address);
    }

    /** From {@code local} (any port), e.g. another address of 127.0.0.0/8; null = the kernel's choice. */
    public static Client connectFrom(java.net.InetAddress local, InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        try {
            if (local != null) {
                socket.bind(new InetSocketAddress(local, 0));
            }
            socket.setTcpNoDelay(true);
            socket.connect(address, CONNECT_TIMEOUT_MS);
            socket.setSoTimeout((int) DEFAULT_READ_TIMEOUT.toMillis());
            return new Client(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    public Socket socket() {
        return socket;
    }

    public void send(byte[] data) throws IOException {
        out.write(data);
        out.flush();
    }

    public void send(byte[] data, int offset, int length) throws IOException {
        out.write(data, offset, length);
        out.flush();
    }

    /** Exactly {@code n} bytes; EOFException if the stream ends first. */
    public byte[] readExactly(int n) throws IOException {
        byte[] data = new byte[n];
        int done = 0;
        while (done < n) {
            int r = in.read(data, done, n - done);
            if (r < 0) {
                throw new EOFException("end of stream after " + done + " of " + n + " bytes");
            }
            done += r;
        }
        return data;
    }

    /** Everything until EOF; fails if more than {@code limit} bytes arrive. */
    public byte[] readToEnd(int limit) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        while (true) {
            int r = in.read(chunk);
            if (r < 0) {
                return all.toByteArray();
            }
            all.write(chunk, 0, r);
            if (all.size() > limit) {
                fail("more than " + limit + " bytes before the end of the stream");
            }
        }
    }

    /**
     * Waits (up to the read timeout) for the far side to end the connection, expecting no more
     * data; returns whether it ended with FIN (EOF) or RST. Fails on timeout or on unexpected data.
     */
    public End awaitEnd() throws IOException {
        try {
            int r = in.read();
            if (r >= 0) {
                fail("expected the connection to end, got data (first byte " + r + ")");
            }
            return End.EOF;
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return End.RESET;
        }
    }

    /** Whether nothing at all (no byte, no EOF) arrives within {@code window}. */
    public boolean receivesNothingWithin(Duration window) throws IOException {
        int previous = socket.getSoTimeout();
        socket.setSoTimeout((int) Math.max(1, window.toMillis()));
        try {
            in.read();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            socket.setSoTimeout(previous);
        }
    }

    public void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Closes with RST (SO_LINGER 0) rather than FIN. */
    public void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
