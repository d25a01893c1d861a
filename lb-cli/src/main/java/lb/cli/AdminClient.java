package lb.cli;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

import lb.protocol.Envelope;
import lb.protocol.Reply;
import lb.protocol.Request;

/**
 * Main thread only. One request to the daemon's admin socket and its reply, with a deadline: a
 * daemon that accepts but does not answer must not hang the operator's terminal.
 */
final class AdminClient {

    /** The daemon could not be reached (no socket, refused, timed out): exit code 3. */
    static final class UnreachableException extends Exception {
        UnreachableException(String message) {
            super(message);
        }
    }

    private static final int MAX_REPLY_BYTES = 16 * 1024 * 1024;

    private final Path socket;
    private final Duration timeout;

    AdminClient(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    /**
     * Sends {@code request}; hands every reply line as received to {@code onLine} (for --json) and
     * each progress line, typed, to {@code onProgress}; returns the final reply. The deadline applies
     * to each line, so a long wait with regular progress never times out.
     */
    Envelope call(Request request, Consumer<String> onLine, Consumer<Reply.Progress> onProgress)
            throws UnreachableException {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw unreachable(e.getMessage());
            }
            channel.configureBlocking(false);
            ByteBuffer out = ByteBuffer.wrap((request.toLine() + "\n").getBytes(StandardCharsets.UTF_8));
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            SelectionKey key = channel.register(selector, SelectionKey.OP_WRITE);
            while (true) {
                long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000;
                if (leftMs <= 0) {
                    throw unreachable("no reply within " + timeout.toMillis() + " ms");
                }
                selector.select(leftMs);
                if (out.hasRemaining()) {
                    channel.write(out);
                    key.interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                    continue;
                }
                if (!in.hasRemaining()) {
                    if (in.capacity() >= MAX_REPLY_BYTES) {
                        throw unreachable("reply longer than " + MAX_REPLY_BYTES + " bytes");
                    }
                    in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
                }
                int n = channel.read(in);
                int end;
                while ((end = newline(in)) >= 0) {
                    String line = new String(in.array(), 0, end, StandardCharsets.UTF_8);
                    in.flip().position(end + 1);
                    in.compact();
                    Envelope reply = Envelope.parse(line);
                    onLine.accept(line);
                    if (!reply.isProgress()) {
                        return reply;
                    }
                    onProgress.accept(reply.progressRecord());
                    deadlineNs = System.nanoTime() + timeout.toNanos();
                }
                if (n < 0) {
                    throw unreachable("the daemon closed the connection without a reply");
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw unreachable(e.getMessage());
        }
    }

    private static int newline(ByteBuffer in) {
        for (int i = 0; i < in.position(); i++) {
            if (in.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    private UnreachableException unreachable(String why) {
        return new UnreachableException("cannot reach lb-daemon at " + socket + ": " + why
                + " (is it running? try: systemctl status lb-daemon)");
    }
}
