package lb.health;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Owned by the HealthChecker thread. An HTTP/1.0 GET; passes when the status line's code is in
 * the configured range. Only the status line is read (at most 1 KiB).
 */
final class HttpProbe extends Probe {

    private final int statusMin;
    private final int statusMax;

    /** Bounds the read: a status line longer than this is not one. */
    static final int REPLY_LIMIT = 1024;

    /** @param request from {@link #request}, built once per backend */
    HttpProbe(Verdicts verdicts, long deadlineNs, byte[] request, int statusMin, int statusMax) {
        super(verdicts, deadlineNs, request, REPLY_LIMIT);
        this.statusMin = statusMin;
        this.statusMax = statusMax;
    }

    static byte[] request(String path, String host) {
        return ("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\nConnection: close\r\nUser-Agent: lb-health\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    boolean readsReply() {
        return true;
    }

    @Override
    String judge(ByteBuffer reply, boolean eof) {
        int end = -1;
        for (int i = reply.position(); i < reply.limit(); i++) {
            if (reply.get(i) == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            return eof ? "no HTTP status line" : null;
        }
        String line = StandardCharsets.ISO_8859_1.decode(reply.duplicate().limit(end)).toString().trim();
        // "HTTP/1.1 200 OK": the code is the second word.
        String[] words = line.split(" ", 3);
        if (words.length < 2 || !words[0].startsWith("HTTP/") || !words[1].matches("\\d{3}")) {
            return "not an HTTP status line";
        }
        int status = Integer.parseInt(words[1]);
        return status >= statusMin && status <= statusMax ? "" : "bad status " + status;
    }
}
