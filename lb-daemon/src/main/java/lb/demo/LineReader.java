package lb.demo;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Not thread-safe: owned by the one demo connection thread that made it. Reads LF- or CRLF-ended
 * lines from a blocking socket into one fixed buffer, so neither a line without end nor a slow
 * sender can make it grow or wait past the caller's deadline.
 */
final class LineReader {

    /** Thrown when a line is longer than the limit; the caller closes the connection. */
    static final class LineTooLongException extends IOException {
        LineTooLongException(int maxLineBytes) {
            super("line longer than " + maxLineBytes + " bytes");
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final int maxLineBytes;
    // Room for a line of maxLineBytes plus its CR LF: a full buffer without LF is too long for sure.
    private final byte[] buf;
    private int start;
    private int end;
    private boolean eof;

    LineReader(Socket socket, int maxLineBytes) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.maxLineBytes = maxLineBytes;
        this.buf = new byte[maxLineBytes + 2];
    }

    /**
     * Returns the next line without its CR LF or LF (a last line cut by EOF counts as a line), or
     * null at EOF.
     *
     * @param deadlineNs {@link System#nanoTime()} by which the line must be complete; a slow
     *        sender cannot stretch it, unlike a plain per-read timeout
     * @throws SocketTimeoutException if the deadline passes first
     * @throws LineTooLongException if the line exceeds the limit
     */
    byte[] readLine(long deadlineNs) throws IOException {
        int scanFrom = start;
        while (true) {
            for (int i = scanFrom; i < end; i++) {
                if (buf[i] == '\n') {
                    int lineEnd = i > start && buf[i - 1] == '\r' ? i - 1 : i;
                    return take(lineEnd, i + 1);
                }
            }
            if (eof) {
                return end > start ? take(end, end) : null;
            }
            if (end - start > maxLineBytes + 1) {
                throw new LineTooLongException(maxLineBytes);
            }
            scanFrom = end;
            if (end == buf.length) {
                scanFrom -= start;
                compact();
            }
            fill(deadlineNs);
        }
    }

    private byte[] take(int lineEnd, int next) throws LineTooLongException {
        if (lineEnd - start > maxLineBytes) {
            throw new LineTooLongException(maxLineBytes);
        }
        byte[] line = Arrays.copyOfRange(buf, start, lineEnd);
        start = next;
        return line;
    }

    private void compact() {
        System.arraycopy(buf, start, buf, 0, end - start);
        end -= start;
        start = 0;
    }

    private void fill(long deadlineNs) throws IOException {
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
        if (remainingMs <= 0) {
            throw new SocketTimeoutException("no complete line before the deadline");
        }
        // SO_TIMEOUT 0 would mean "forever", so never let the rounding reach it.
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, remainingMs)));
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
            eof = true;
        } else {
            end += n;
        }
    }
}
