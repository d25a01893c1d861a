package lb.stats;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import lb.config.MetricsConfig;

/**
 * Owns the {@code lb-metrics} thread: the JDK's built-in HTTP server answering GET on the metrics
 * path with the Prometheus text of a fresh stats report. One thread is plenty for scrapes every few
 * seconds, and keeps a flood of requests from costing more than one core.
 */
public final class MetricsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    private static final long REPORT_TIMEOUT_MS = 5_000;

    /** Scrapes served at once: a stalled client holds one thread until its time limit. */
    static final int THREADS = 4;
    /** How long a request may take to arrive, and a response to be taken, before the connection is closed. */
    static final long REQUEST_TIME_LIMIT_S = 10;

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code config.listen()} and starts serving.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static MetricsServer start(MetricsConfig config, StatsAggregator stats) throws IOException {
        // The JDK server reads a request on an executor thread, blocking, and by default without a
        // time limit: give slow or stalled clients a deadline (seconds; read once, at the JDK server's
        // first use) unless the operator set one, and serve with a few threads so one stalled
        // scraper does not hold up the others.
        System.setProperty("sun.net.httpserver.maxReqTime",
                System.getProperty("sun.net.httpserver.maxReqTime", Long.toString(REQUEST_TIME_LIMIT_S)));
        System.setProperty("sun.net.httpserver.maxRspTime",
                System.getProperty("sun.net.httpserver.maxRspTime", Long.toString(REQUEST_TIME_LIMIT_S)));
        HttpServer server;
        try {
            server = HttpServer.create(config.listen(), 16);
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + config.listen().getHostString() + ":"
                    + config.listen().getPort() + ": " + e.getMessage(), e);
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "lb-metrics-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, config.path(), stats));
        server.start();
        LOG.info("metrics on http://{}:{}{}", config.listen().getHostString(), server.getAddress().getPort(),
                config.path());
        return new MetricsServer(server, executor);
    }

    private static void handle(HttpExchange exchange, String path, StatsAggregator stats) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(path)) {
                reply(exchange, 404, "text/plain; charset=utf-8", "not found: metrics are on " + path + "\n");
                return;
            }
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "text/plain; charset=utf-8", "GET only\n");
                return;
            }
            Map<String, Object> report;
            try {
                report = stats.report().get(REPORT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                reply(exchange, 503, "text/plain; charset=utf-8", "stats not available: " + e + "\n");
                return;
            }
            reply(exchange, 200, PrometheusText.CONTENT_TYPE, PrometheusText.render(report));
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The bound address (the real port when the config said 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
