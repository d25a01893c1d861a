package lb.stats;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.config.MetricsConfig;
import lb.log.InjectedFault;
import lb.log.RateLimitedLog;

/**
 * Owns the {@code lb-metrics} thread: a small HTTP/1.x server on its own selector that answers GET
 * (and HEAD) on the metrics path with the Prometheus text of a fresh stats report, one request per
 * connection ({@code Connection: close}, which every scraper handles).
 *
 * <p>Non-blocking, so that clients that stall cannot hold up a scrape: the JDK's HTTP server reads
 * each request on a pool thread, blocking, and four clients sending half a request took all four
 * threads until its time limit. Here a client has {@value #TIME_LIMIT_S} s for its request and the
 * response, a request has {@value #MAX_REQUEST_BYTES} bytes, and at most {@value #MAX_CLIENTS}
 * clients are open: the next one closes the one that has been open longest. Nothing is logged per
 * request; a failure of the server itself, rate-limited.
 */
public final class MetricsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    /** Where the readiness answer is: 200 while the daemon takes new connections, 503 once it drains. */
    public static final String READY_PATH = "/ready";
    private static final long REPORT_TIMEOUT_MS = 5_000;
    // Written once by the thread that starts the shutdown, read by the metrics thread.
    private volatile boolean draining;

    /** Clients open at once; a scraper every few seconds needs one. */
    public static final int MAX_CLIENTS = 64;
    /** Request line and headers; a scraper sends a few hundred bytes. */
    static final int MAX_REQUEST_BYTES = 8192;
    /** How long a client may take to send its request and take the response. */
    static final long TIME_LIMIT_S = 10;
    private static final long TIME_LIMIT_NS = TimeUnit.SECONDS.toNanos(TIME_LIMIT_S);
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final byte[] REQUEST_TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n"
            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);

    private final MetricsConfig config;
    private final StatsAggregator stats;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;
    // Open clients, oldest first (metrics thread only).
    private final ArrayDeque<Client> clients = new ArrayDeque<>();
    private final RateLimitedLog failures = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private volatile boolean stopped;

    /** One connection: its request as it arrives, then the response as it leaves. */
    private static final class Client {
        final SocketChannel channel;
        final long deadlineNs;
        final ByteBuffer request = ByteBuffer.allocate(MAX_REQUEST_BYTES);
        ByteBuffer response;
        SelectionKey key;
        // The response is out and our side shut: what still comes in is read and dropped until EOF,
        // so that closing does not reset a response the client has not read yet.
        boolean answered;

        Client(SocketChannel channel, long nowNs) {
            this.channel = channel;
            this.deadlineNs = nowNs + TIME_LIMIT_NS;
        }
    }

    private MetricsServer(MetricsConfig config, StatsAggregator stats, ServerSocketChannel server, Selector selector) {
        this.config = config;
        this.stats = stats;
        this.server = server;
        this.selector = selector;
        this.thread = new Thread(this::run, "lb-metrics");
        thread.setDaemon(true);
    }

    /**
     * Binds {@code config.listen()} and starts serving.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    /** Any thread: from now on /ready answers 503 (the daemon is about to stop taking connections). */
    public void draining() {
        draining = true;
    }

    public static MetricsServer start(MetricsConfig config, StatsAggregator stats) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        Selector selector;
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            // An upgrade's new process binds the same address while the old one still serves it.
            server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            server.bind(config.listen(), 64);
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot serve metrics on " + config.listen().getHostString() + ":"
                    + config.listen().getPort() + ": " + e.getMessage(), e);
        }
        MetricsServer metrics = new MetricsServer(config, stats, server, selector);
        metrics.thread.start();
        LOG.info("metrics on http://{}:{}{}", config.listen().getHostString(), metrics.address().getPort(),
                config.path());
        return metrics;
    }

    private void run() {
        try {
            while (!stopped) {
                InjectedFault.check(); // outside the pass's catch: a dying metrics thread ends the process
                selector.select(1_000);
                long nowNs = System.nanoTime();
                Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                while (ready.hasNext()) {
                    SelectionKey key = ready.next();
                    ready.remove();
                    try {
                        serve(key, nowNs);
                    } catch (IOException | RuntimeException e) {
                        if (key.attachment() instanceof Client client) {
                            close(client); // that client's trouble, not the server's
                        } else {
                            failures.warn(nowNs, "metrics: " + e);
                        }
                    }
                }
                closeExpired(nowNs);
            }
        } catch (ClosedSelectorException e) {
            // closed by close(): done
        } catch (IOException e) {
            LOG.error("metrics server stopped: {}", e.toString());
        } finally {
            for (Client client : clients) {
                closeQuietly(client.channel);
            }
            clients.clear();
        }
    }

    private void serve(SelectionKey key, long nowNs) throws IOException {
        if (!key.isValid()) {
            return;
        }
        if (key.isAcceptable()) {
            accept(nowNs);
            return;
        }
        Client client = (Client) key.attachment();
        if (key.isWritable()) {
            flush(client);
        } else if (key.isReadable()) {
            read(client);
        }
    }

    private void accept(long nowNs) throws IOException {
        for (int i = 0; i < MAX_CLIENTS; i++) {
            SocketChannel channel = server.accept();
            if (channel == null) {
                return;
            }
            if (clients.size() >= MAX_CLIENTS) {
                close(clients.peekFirst()); // open longest: a scraper is done in milliseconds
            }
            Client client = new Client(channel, nowNs);
            try {
                channel.configureBlocking(false);
                client.key = channel.register(selector, SelectionKey.OP_READ, client);
            } catch (IOException e) {
                closeQuietly(channel);
                continue;
            }
            clients.addLast(client);
        }
    }

    private void read(Client client) throws IOException {
        if (client.answered) {
            client.request.clear();
        }
        int n = client.channel.read(client.request);
        if (n < 0) {
            close(client);
            return;
        }
        if (client.answered) {
            return;
        }
        int end = headersEnd(client.request);
        if (end < 0) {
            if (!client.request.hasRemaining()) {
                respond(client, 431, TEXT, "request headers over " + MAX_REQUEST_BYTES + " bytes\n", false);
            }
            return;
        }
        String head = new String(client.request.array(), 0, end, StandardCharsets.ISO_8859_1);
        String[] line = head.substring(0, Math.max(0, head.indexOf("\r\n"))).split(" ", -1);
        if (line.length != 3 || !(line[2].equals("HTTP/1.1") || line[2].equals("HTTP/1.0"))) {
            respond(client, 400, TEXT, "bad request\n", false);
            return;
        }
        boolean head0 = line[0].equals("HEAD");
        int query = line[1].indexOf('?');
        String path = query < 0 ? line[1] : line[1].substring(0, query);
        if (!line[0].equals("GET") && !head0) {
            respond(client, 405, TEXT, "GET only\n", false);
        } else if (path.equals(READY_PATH)) {
            // For ECMP/anycast health checks (a BGP speaker withdraws the route on 503): whether this
            // daemon takes new connections, and stays so until it starts to drain.
            if (draining) {
                respond(client, 503, TEXT, "draining\n", head0);
            } else {
                respond(client, 200, TEXT, "ready\n", head0);
            }
        } else if (!path.equals(config.path())) {
            respond(client, 404, TEXT, "not found: metrics are on " + config.path() + " (readiness on " + READY_PATH
                    + ")\n", head0);
        } else {
            Map<String, Object> report;
            try {
                report = stats.report().get(REPORT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                respond(client, 503, TEXT, "stats not available: " + e + "\n", head0);
                return;
            }
            respond(client, 200, PrometheusText.CONTENT_TYPE, PrometheusText.render(report), head0);
        }
    }

    /** Where the blank line that ends the headers ends, or -1 if it has not arrived. */
    private static int headersEnd(ByteBuffer request) {
        byte[] bytes = request.array();
        for (int i = 3; i < request.position(); i++) {
            if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private void respond(Client client, int status, String type, String body, boolean headOnly) throws IOException {
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        String headers = "HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: " + type
                + "\r\nContent-Length: " + payload.length + (status == 405 ? "\r\nAllow: GET, HEAD" : "")
                + "\r\nConnection: close\r\n\r\n";
        byte[] head = headers.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer response = ByteBuffer.allocate(head.length + (headOnly ? 0 : payload.length));
        response.put(head);
        if (!headOnly) {
            response.put(payload);
        }
        client.response = response.flip();
        flush(client);
    }

    private void flush(Client client) throws IOException {
        client.channel.write(client.response);
        if (client.response.hasRemaining()) {
            client.key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        client.answered = true;
        client.channel.shutdownOutput();
        client.key.interestOps(SelectionKey.OP_READ);
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            default -> "Service Unavailable";
        };
    }

    private void closeExpired(long nowNs) {
        while (!clients.isEmpty() && nowNs - clients.peekFirst().deadlineNs >= 0) {
            Client client = clients.peekFirst(); // oldest first: their deadlines come in the same order
            if (client.response == null) {
                try {
                    client.channel.write(ByteBuffer.wrap(REQUEST_TIMEOUT)); // one try: it says why
                } catch (IOException e) {
                    // gone already
                }
            }
            close(client);
        }
    }

    /** Closes a client (a response it was sent went out before, with a FIN). */
    private void close(Client client) {
        clients.remove(client);
        if (client.key != null) {
            client.key.cancel();
        }
        closeQuietly(client.channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing is all there was to do
        }
    }

    /** The bound address (the real port when the config said 0). */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            return config.listen();
        }
    }

    @Override
    public void close() {
        stopped = true;
        try {
            selector.close(); // ends the thread's select with ClosedSelectorException
        } catch (IOException e) {
            LOG.debug("metrics: closing selector: {}", e.toString());
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("metrics: closing listener: {}", e.toString());
        }
    }
}
