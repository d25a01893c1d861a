package lb.bench.backend;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Any thread (immutable). The two 200 responses of one http listener, built once: the body names
 * the address the request came in on, so a client behind a load balancer sees which backend
 * answered.
 */
final class HttpResponses {

    private final byte[] keepAlive;
    private final byte[] closing;

    HttpResponses(InetSocketAddress local) {
        String body = "http backend " + local.getAddress().getHostAddress() + ":" + local.getPort() + "\n";
        this.keepAlive = response(body, "keep-alive");
        this.closing = response(body, "close");
    }

    private static byte[] response(String body, String connection) {
        return ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                + "\r\nConnection: " + connection + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    byte[] keepAlive() {
        return keepAlive;
    }

    byte[] closing() {
        return closing;
    }
}
