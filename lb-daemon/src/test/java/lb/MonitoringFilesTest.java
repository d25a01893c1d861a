package lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.Yaml;

import lb.config.Config;
import lb.config.MetricsConfig;
import lb.testing.Cleanup;
import lb.testing.EchoBackend;
import lb.testing.TestConfigs;

/**
 * Test thread. conf/monitoring's alert rules and dashboard parse (YAML, JSON), have the fields
 * Prometheus and Grafana need, and use only metrics a running daemon exposes.
 */
class MonitoringFilesTest {

    private static final Pattern METRIC = Pattern.compile("\\blb_[a-z0-9_]+");

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    private static Path monitoring(String name) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path file = d.resolve("conf").resolve("monitoring").resolve(name);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new AssertionError("conf/monitoring/" + name + " not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void alertRulesAndDashboardParseAndUseOnlyExposedMetrics() throws Exception {
        List<String> expressions = new ArrayList<>();
        Map<?, ?> rules = new Yaml().load(Files.readString(monitoring("lb-alerts.yml")));
        for (Object group : (List<?>) rules.get("groups")) {
            for (Object o : (List<?>) ((Map<?, ?>) group).get("rules")) {
                Map<?, ?> rule = (Map<?, ?>) o;
                assertTrue(rule.get("alert") instanceof String && rule.get("expr") instanceof String, "rule " + rule);
                assertTrue(((Map<?, ?>) rule.get("annotations")).containsKey("summary"), "summary in " + rule.get("alert"));
                expressions.add((String) rule.get("expr"));
            }
        }
        assertTrue(expressions.size() >= 5, "backend down, panic, refused, descriptors, buffers at least");
        Map<?, ?> dashboard = new Yaml().load(Files.readString(monitoring("lb-dashboard.json"))); // JSON is YAML
        assertEquals("lb-overview", dashboard.get("uid"));
        for (Object o : (List<?>) dashboard.get("panels")) {
            for (Object target : (List<?>) ((Map<?, ?>) o).get("targets")) {
                expressions.add((String) ((Map<?, ?>) target).get("expr"));
            }
        }
        for (Object o : (List<?>) ((Map<?, ?>) dashboard.get("templating")).get("list")) {
            Object query = ((Map<?, ?>) o).get("query");
            if (query instanceof String q) {
                expressions.add(q);
            }
        }

        EchoBackend one = cleanup.track(EchoBackend.start("one"));
        Config base = TestConfigs.balancing(one.address()).workers(1).build();
        Daemon daemon = cleanup.track(Daemon.start(new Config(base.source(), base.daemon(), base.listeners(),
                base.pools(), new MetricsConfig(new InetSocketAddress("127.0.0.1", 0), "/metrics"))));
        String exposition = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + daemon.metricsAddress().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Set<String> exposed = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                exposed.add(line.split("[{ ]", 2)[0]);
            }
        }
        Set<String> missing = new TreeSet<>();
        for (String expression : expressions) {
            Matcher m = METRIC.matcher(expression);
            while (m.find()) {
                if (!exposed.contains(m.group())) {
                    missing.add(m.group());
                }
            }
        }
        assertFalse(expressions.isEmpty());
        assertEquals(Set.of(), missing, "metrics the monitoring files use that the daemon does not expose");
    }
}
