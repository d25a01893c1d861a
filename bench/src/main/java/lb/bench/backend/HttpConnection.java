package lb.bench.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Owned by the backend's selector thread. A minimal HTTP/1.x server connection: every request
 * (its head, up to the blank line; request bodies are not read, so it is for GETs) is answered with
 * the listener's 200 response. Persistent connections follow RFC 9112 §9.3: HTTP/1.1 stays open
 * unless the request says {@code Connection: close}; HTTP/1.0 closes unless it says
 * {@code keep-alive}. Pipelined requests are answered in order; only a count of owed responses is
 * kept, since they are all the same bytes.
 */
final class HttpConnection extends BackendConnection {

    /** Longer request heads are refused with 431 and the connection closed. */
    static final int MAX_HEAD = 8192;

    private static final byte[] TOO_LARGE = ("HTTP/1.1 431 Request Header Fields Too Large\r\n"
            + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP_1_0 = "HTTP/1.0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_CLOSE = "connection: close".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_KEEP_ALIVE = "connection: keep-alive".getBytes(StandardCharsets.US_ASCII);

    private final HttpResponses responses;
    private final byte[] head = new byte[MAX_HEAD];
    private int headLength;
    private long owedKeepAlive;      // 200 responses to send before the final one
    private byte[] finalResponse;    // sent last, then the connection closes; null while it stays open
    private int writtenOfCurrent;    // bytes of the response being written that are already out

    HttpConnection(SocketChannel channel, BackendStats stats, HttpResponses responses) {
        super(channel, stats);
        this.responses = responses;
    }

    @Override
    boolean onReady(ByteBuffer in, ByteBuffer out) throws IOException {
        if (finalResponse == null && key.isReadable()) {
            for (int i = 0; i < SPINS_PER_EVENT && finalResponse == null; i++) {
                int n = readInto(in);
                if (n < 0) {
                    if (owedKeepAlive == 0) {
                        return false; // nothing owed to a client that has gone
                    }
                    finalResponse = responses.keepAlive(); // answer what it asked, then close
                    owedKeepAlive--;
                    break;
                }
                if (n == 0) {
                    break;
                }
                in.flip();
                parse(in);
            }
        }
        return flush(out);
    }

    /** Appends request bytes to the head; each blank line ends one request. */
    private void parse(ByteBuffer in) {
        while (in.hasRemaining() && finalResponse == null) {
            byte b = in.get();
            if (headLength == MAX_HEAD) {
                finalResponse = TOO_LARGE;
                return;
            }
            head[headLength++] = b;
            if (b == '\n' && endsHead()) {
                stats.addRequest();
                if (keepsAlive()) {
                    owedKeepAlive++;
                } else {
                    finalResponse = responses.closing();
                }
                headLength = 0;
            }
        }
    }

    private boolean endsHead() {
        return (headLength >= 2 && head[headLength - 2] == '\n')
                || (headLength >= 4 && head[headLength - 2] == '\r' && head[headLength - 3] == '\n');
    }

    private boolean keepsAlive() {
        int lineEnd = indexOf(head, headLength, (byte) '\n');
        int versionEnd = lineEnd > 0 && head[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
        boolean http10 = versionEnd >= HTTP_1_0.length
                && regionEqualsIgnoreCase(head, versionEnd - HTTP_1_0.length, HTTP_1_0);
        if (http10) {
            return contains(head, headLength, CONNECTION_KEEP_ALIVE);
        }
        return !contains(head, headLength, CONNECTION_CLOSE);
    }

    /** Writes owed responses; false once the final one is out (close the connection). */
    private boolean flush(ByteBuffer out) throws IOException {
        while (owedKeepAlive > 0 || finalResponse != null) {
            byte[] response = owedKeepAlive > 0 ? responses.keepAlive() : finalResponse;
            out.clear();
            out.put(response, writtenOfCurrent, Math.min(out.capacity(), response.length - writtenOfCurrent)).flip();
            int n = channel.write(out);
            stats.addSent(n);
            writtenOfCurrent += n;
            if (writtenOfCurrent < response.length) {
                key.interestOps(SelectionKey.OP_WRITE); // the client is slow: wait, reading nothing more meanwhile
                return true;
            }
            writtenOfCurrent = 0;
            if (owedKeepAlive > 0) {
                owedKeepAlive--;
            } else {
                return false;
            }
        }
        key.interestOps(SelectionKey.OP_READ);
        return true;
    }

    private static int indexOf(byte[] bytes, int length, byte b) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** {@code lowerNeedle} is lower case ASCII. */
    private static boolean contains(byte[] bytes, int length, byte[] lowerNeedle) {
        for (int i = 0; i + lowerNeedle.length <= length; i++) {
            if (regionEqualsIgnoreCase(bytes, i, lowerNeedle)) {
                return true;
            }
        }
        return false;
    }

    private static boolean regionEqualsIgnoreCase(byte[] bytes, int from, byte[] lowerNeedle) {
        for (int j = 0; j < lowerNeedle.length; j++) {
            byte b = bytes[from + j];
            if (b >= 'A' && b <= 'Z') {
                b = (byte) (b + ('a' - 'A'));
            }
            byte n = lowerNeedle[j];
            if (n >= 'A' && n <= 'Z') {
                n = (byte) (n + ('a' - 'A'));
            }
            if (b != n) {
                return false;
            }
        }
        return true;
    }
}
