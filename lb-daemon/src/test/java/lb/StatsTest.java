package lb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.config.Config;
import lb.config.MetricsConfig;
import lb.stats.MetricsServer;
import lb.session.StatsRing;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.DeadPort;
import lb.testing.EchoBackend;
import lb.testing.Payload;
import lb.testing.PrometheusFormat;
import lb.testing.TestConfigs;

/**
 * Test thread only. Stats figures after known traffic through a live daemon are exact; a stalled
 * stats thread costs events, counted, never relaying; the metrics endpoint passes a strict format
 * check with the documented names.
 */
class StatsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** One echo session of {@code size} bytes; the echo is checked by sha256. */
    private static void echo(InetSocketAddress address, int size, long seed) throws Exception {
        byte[] payload = Payload.random(seed, size);
        try (Client client = Client.connect(address)) {
            client.send(payload);
            client.shutdownOutput();
            assertArrayEquals(Payload.sha256(payload), Payload.sha256(client.readToEnd(size + 1)), "echo " + seed);
        }
    }

    private static Map<?, ?> listener(Map<String, Object> stats) {
        return (Map<?, ?>) ((List<?>) stats.get("listeners")).get(0);
    }

    private static Map<?, ?> backend(Map<String, Object> stats, int index) {
        Map<?, ?> pool = (Map<?, ?>) ((List<?>) stats.get("pools")).get(0);
        return (Map<?, ?>) ((List<?>) pool.get("backends")).get(index);
    }

    private static long number(Map<?, ?> m, String... path) {
        Object value = m;
        for (String key : path) {
            value = ((Map<?, ?>) value).get(key);
        }
        return ((Number) value).longValue();
    }

    @Test
    void figuresAfterKnownSessionsAreExact() throws Exception {
        EchoBackend one = cleanup.track(EchoBackend.start("one"));
        EchoBackend two = cleanup.track(EchoBackend.start("two"));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(one.address(), two.address()).workers(1)
                .build()));
        InetSocketAddress address = daemon.listenerAddress(TestConfigs.LISTENER);
        int sessions = 30;
        long[] bytesPerBackend = new long[2];
        for (int i = 0; i < sessions; i++) {
            int size = 1_000 + 7_919 * i;
            echo(address, size, i);
            bytesPerBackend[i % 2] += size; // round robin on one loop alternates exactly
        }
        Await.until(() -> number(listener(daemon.stats()), "sessions_ended") == sessions, WAIT,
                () -> "every session accounted for: " + daemon.stats());
        Map<String, Object> stats = daemon.stats();
        Map<?, ?> l = listener(stats);
        long total = bytesPerBackend[0] + bytesPerBackend[1];
        assertEquals(sessions, number(l, "sessions_total"));
        assertEquals(total, number(l, "bytes_up"));
        assertEquals(total, number(l, "bytes_down"));
        assertEquals(sessions, number(l, "ended", "completed"));
        assertEquals(0, number(l, "retries"));
        assertEquals(sessions, number(l, "duration", "count"), "one duration per session");
        assertEquals(sessions, number(l, "first_byte", "count"), "every session got a first byte");
        for (int b = 0; b < 2; b++) {
            Map<?, ?> backend = backend(stats, b);
            assertEquals(sessions / 2, number(backend, "sessions_total"), "backend " + b);
            assertEquals(bytesPerBackend[b], number(backend, "bytes_up"), "backend " + b);
            assertEquals(bytesPerBackend[b], number(backend, "bytes_down"), "backend " + b);
            assertEquals(sessions / 2, number(backend, "connect", "count"), "one connect time per session");
            assertEquals(0, number(backend, "active_sessions"));
        }
        Map<?, ?> pool = (Map<?, ?>) ((List<?>) stats.get("pools")).get(0);
        assertEquals(sessions, number(pool, "sessions_total"), "the pool's is its backends'");
        assertEquals(total, number(pool, "bytes_down"));
        assertEquals(sessions, number(pool, "duration", "count"));
        assertEquals(sessions, number(stats, "events_processed"));
        assertEquals(0, number(stats, "events_dropped"));
    }

    @Test
    void connectFailuresAreCountedByCauseWithTheirRetries() throws Exception {
        EchoBackend good = cleanup.track(EchoBackend.start("good"));
        InetSocketAddress dead = DeadPort.allocate();
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(dead, good.address()).workers(1).retries(1)
                .build()));
        for (int i = 0; i < 6; i++) {
            echo(daemon.listenerAddress(TestConfigs.LISTENER), 100, i);
        }
        Await.until(() -> number(listener(daemon.stats()), "sessions_ended") == 6, WAIT, "all six ended");
        Map<String, Object> stats = daemon.stats();
        long refused = number(backend(stats, 0), "connect_failures", "refused");
        assertTrue(refused >= 3, "round robin sent at least every other first try to the dead port: " + refused);
        assertEquals(refused, number(listener(stats), "retries"), "each refusal was retried once, on the good one");
        assertEquals(0, number(backend(stats, 0), "connect_failures", "timeout"));
        assertEquals(6, number(backend(stats, 1), "sessions_ended"));
    }

    @Test
    void aStalledStatsThreadDropsCountedEventsAndRelayingGoesOn() throws Exception {
        EchoBackend one = cleanup.track(EchoBackend.start("one"));
        Config config = TestConfigs.balancing(one.address()).workers(1).build();
        Daemon daemon = cleanup.track(Daemon.start(config, UnaryOperator.identity(), 16));
        daemon.statsAggregator().hold(true);
        for (int i = 0; i < 40; i++) {
            echo(daemon.listenerAddress(TestConfigs.LISTENER), 2_000, i); // every session still relays intact
        }
        // The loop publishes after it closed the client: wait for the last close to be counted.
        Await.until(() -> daemon.statsAggregator().dropped() == 40 - 16, WAIT,
                () -> "dropped " + daemon.statsAggregator().dropped());
        assertEquals(0, daemon.statsAggregator().processed(), "held: nothing taken from the ring");
        daemon.statsAggregator().hold(false);
        Await.until(() -> daemon.statsAggregator().processed() == 16, WAIT, "the 16 events that fitted");
        Map<String, Object> stats = daemon.stats();
        assertEquals(24, number(stats, "events_dropped"));
        assertEquals(16, number(listener(stats), "sessions_ended"));
        assertEquals(40, number(listener(stats), "sessions_total"), "counters do not go through the ring");
        assertEquals(40 * 2_000, number(listener(stats), "bytes_up"));
    }

    @Test
    void metricsEndpointPassesAStrictFormatCheckWithTheDocumentedNames() throws Exception {
        EchoBackend one = cleanup.track(EchoBackend.start("one"));
        EchoBackend two = cleanup.track(EchoBackend.start("two"));
        Config base = TestConfigs.balancing(one.address(), two.address()).workers(1).build();
        Config config = new Config(base.source(), base.daemon(), base.listeners(), base.pools(),
                new MetricsConfig(new InetSocketAddress("127.0.0.1", 0), "/metrics"));
        Daemon daemon = cleanup.track(Daemon.start(config));
        for (int i = 0; i < 4; i++) {
            echo(daemon.listenerAddress(TestConfigs.LISTENER), 500, i);
        }
        Await.until(() -> number(listener(daemon.stats()), "sessions_ended") == 4, WAIT, "four sessions ended");
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + daemon.metricsAddress().getPort() + "/metrics");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", response.headers().firstValue("Content-Type")
                .orElse(""));
        Map<String, Double> series = PrometheusFormat.parse(response.body());
        String b1 = "{pool=\"pool\",backend=\"b1\"";
        assertEquals(4.0, series.get("lb_listener_sessions_total{listener=\"test\"}"));
        assertEquals(2000.0, series.get("lb_listener_bytes_total{listener=\"test\",direction=\"up\"}"));
        assertEquals(2.0, series.get("lb_backend_sessions_total" + b1 + "}"));
        assertEquals(1000.0, series.get("lb_backend_bytes_total" + b1 + ",direction=\"down\"}"));
        assertEquals(1.0, series.get("lb_backend_up" + b1 + "}"));
        assertEquals(1.0, series.get("lb_backend_admin_state" + b1 + ",state=\"active\"}"));
        assertEquals(0.0, series.get("lb_backend_connect_failures_total" + b1 + ",cause=\"refused\"}"));
        assertEquals(2.0, series.get("lb_backend_connect_seconds_count" + b1 + "}"));
        assertEquals(2.0, series.get("lb_backend_connect_seconds_bucket" + b1 + ",le=\"+Inf\"}"));
        assertEquals(2.0, series.get("lb_backend_connect_seconds_bucket" + b1 + ",le=\"5\"}"), "loopback connects");
        assertTrue(series.get("lb_backend_connect_seconds_sum" + b1 + "}") > 0);
        assertEquals(4.0, series.get("lb_listener_session_duration_seconds_bucket{listener=\"test\",le=\"3600\"}"));
        assertTrue(series.containsKey("lb_listener_first_byte_seconds_bucket{listener=\"test\",le=\"0.0005\"}"),
                "the documented bounds, written plainly");
        assertEquals(4.0, series.get("lb_listener_sessions_ended_total{listener=\"test\",end=\"completed\"}"));
        assertEquals(4.0, series.get("lb_listener_session_duration_seconds_count{listener=\"test\"}"));
        assertEquals(0.0, series.get("lb_stats_events_dropped_total"));
        assertEquals(0.0, series.get("lb_pool_sessions_refused_total{pool=\"pool\"}"));
        assertEquals(4.0, series.get("lb_pool_sessions_total{pool=\"pool\"}"));
        assertEquals(2000.0, series.get("lb_pool_bytes_total{pool=\"pool\",direction=\"up\"}"));
        assertEquals(0.0, series.get("lb_pool_panic{pool=\"pool\"}"));
        assertEquals(0.0, series.get("lb_backend_ejected" + b1 + "}"));
        assertEquals(series.get("lb_backend_weight" + b1 + ",kind=\"configured\"}"),
                series.get("lb_backend_weight" + b1 + ",kind=\"effective\"}"), "no slow start: full weight");
        // Process figures, from the JVM and the loops themselves.
        assertTrue(series.get("lb_process_open_fds") >= 6, "listener, selector, metrics... " + series.get("lb_process_open_fds"));
        assertTrue(series.get("lb_process_max_fds") >= series.get("lb_process_open_fds"));
        assertEquals((double) Runtime.getRuntime().maxMemory(), series.get("lb_jvm_heap_bytes{state=\"max\"}"));
        assertTrue(series.get("lb_jvm_direct_bytes{state=\"used\"}") >= config.daemon().bufferSize(), "a loop's read buffer at least");
        assertEquals((double) daemon.pooledBytesMax(), series.get("lb_buffer_pool_bytes{loop=\"0\",state=\"max\"}"));
        assertEquals(0.0, series.get("lb_buffer_pool_evictions_total{loop=\"0\"}"));
        assertTrue(series.get("lb_jvm_threads") >= 5);
        assertTrue(series.get("lb_process_start_time_seconds") * 1000 <= System.currentTimeMillis());
        assertEquals(1.0, series.get("lb_build_info{version=\"" + lb.protocol.Version.text() + "\",java=\""
                + Runtime.version() + "\"}"));

        assertEquals(404, http.send(HttpRequest.newBuilder(uri.resolve("/other")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(405, http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void stalledClientsCannotHoldUpAScrapeTheOldestMakeRoom() throws Exception {
        EchoBackend one = cleanup.track(EchoBackend.start("one"));
        Config base = TestConfigs.balancing(one.address()).workers(1).build();
        Config config = new Config(base.source(), base.daemon(), base.listeners(), base.pools(),
                new MetricsConfig(new InetSocketAddress("127.0.0.1", 0), "/metrics"));
        Daemon daemon = cleanup.track(Daemon.start(config));
        InetSocketAddress metrics = new InetSocketAddress("127.0.0.1", daemon.metricsAddress().getPort());
        // More than the endpoint keeps open: with the JDK's server, 4 such clients stalled every scrape.
        int stalledCount = MetricsServer.MAX_CLIENTS + 16;
        java.util.List<java.nio.channels.SocketChannel> stalled = new java.util.ArrayList<>();
        for (int i = 0; i < stalledCount; i++) {
            java.nio.channels.SocketChannel c = cleanup.track(java.nio.channels.SocketChannel.open(metrics));
            c.write(java.nio.ByteBuffer.wrap("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII)));
            stalled.add(c); // and never the blank line that ends the request
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();
        HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.getPort() + "/metrics"))
                .timeout(java.time.Duration.ofSeconds(30)).build();
        assertEquals(200, http.send(scrape, HttpResponse.BodyHandlers.ofString()).statusCode());
        int open = 0;
        for (java.nio.channels.SocketChannel c : stalled) {
            c.configureBlocking(false);
            try {
                open += c.read(java.nio.ByteBuffer.allocate(1)) == 0 ? 1 : 0;
            } catch (IOException reset) {
                // closed by the server
            }
        }
        // Served before any of them reached its time limit: all but the oldest, closed for room, still open.
        assertEquals(MetricsServer.MAX_CLIENTS - 1, open, "stalled clients still open after the scrape");
    }

    @Test
    void theFormatCheckerRefusesWhatPromtoolWould() {
        String good = "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\"} 3\n";
        assertEquals(Map.of("a_total{x=\"1\"}", 3.0), PrometheusFormat.parse(good));
        for (String bad : List.of(
                "a_total 3\n",                                                              // no TYPE
                "# HELP a A.\n# TYPE a counter\na 3\n",                                     // counter without _total
                "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\"} 3\na_total{x=\"1\"} 4\n", // duplicate
                "# HELP a_total A.\n# TYPE a_total counter\na_total{x=1} 3\n",              // unquoted label
                "# HELP a_total A.\n# TYPE a_total counter\na_total 3d\n",                  // Java-only number
                "# HELP a A.\n# TYPE a summary\na 3\n",                                     // no quantile
                "# HELP a_total A.\n# TYPE a_total counter\na_total 3")) {                  // no final line feed
            try {
                PrometheusFormat.parse(bad);
            } catch (AssertionError expected) {
                continue;
            }
            throw new AssertionError("accepted: " + bad);
        }
        assertTrue(StatsRing.DEFAULT_SLOTS >= 1024, "a ring holds a burst of closes");
    }
}
