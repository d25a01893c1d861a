package lb.bench.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.config.ConfigLoader;
import lb.pool.Backend;
import lb.pool.HealthState;
import lb.testing.Await;
import lb.testing.Cleanup;

/** Test thread only. http backends behind a real lb daemon: its http health checks pass, and curl-like GETs are answered. */
class HttpBackendBehindLbTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    @Test
    void lbHttpHealthChecksPassAndRequestsReachBothBackends() throws Exception {
        TestBackend http = cleanup.track(TestBackend.start(BackendType.HTTP, InetAddress.getLoopbackAddress(),
                List.of(0, 0)));
        InetSocketAddress a = http.addresses().get(0);
        InetSocketAddress b = http.addresses().get(1);
        Daemon daemon = cleanup.track(Daemon.start(ConfigLoader.parse("""
                [daemon]
                workers = 1
                admin_socket = ""
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                [pool.health]
                type = "http"
                path = "/health"
                interval = "50ms"
                timeout = "50ms"
                rise = 1
                initial_state = "down"
                [[pool.backend]]
                address = "127.0.0.1:%d"
                [[pool.backend]]
                address = "127.0.0.1:%d"
                """.formatted(a.getPort(), b.getPort()), Optional.empty())));
        List<Backend> backends = daemon.pool("web").snapshot().backends();
        Await.until(() -> backends.stream().allMatch(x -> x.healthState() == HealthState.UP), TIMEOUT,
                () -> "health checks pass: " + backends);

        URI uri = URI.create("http://127.0.0.1:" + daemon.listenerAddress("web").getPort() + "/");
        Set<String> answeredBy = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            // A new client per request: lb balances connections, and one client would keep one alive.
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(TIMEOUT).build().send(
                    HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            answeredBy.add(response.body());
        }
        assertEquals(Set.of("http backend 127.0.0.1:" + a.getPort() + "\n", "http backend 127.0.0.1:" + b.getPort() + "\n"),
                answeredBy);
    }
}
