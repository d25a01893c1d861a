package lb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import lb.config.ListenerConfig.AcceptMode;

class ConfigLoaderTest {

    /** As an error message lists them: every registered algorithm, sorted. */
    private static final String ALGORITHMS = "bounded_load, least_conn, maglev, power_of_two, random, ring_hash, "
            + "round_robin, source_hash, weighted_round_robin";

    /** A valid listener and pool; cases append the keys they break. */
    private static final String LISTENER = """
            [[listener]]
            name = "web"
            bind = "127.0.0.1:8080"
            pool = "web"
            """;
    private static final String POOL = """
            [[pool]]
            name = "web"
            [[pool.backend]]
            address = "127.0.0.1:9001"
            """;
    private static final String VALID = LISTENER + POOL;
    private static final String WORKERS_RANGE = "(allowed: 0..256 or \"auto\"; 0 and \"auto\" = one per core)";
    private static final String ACCESS_LOG_ALLOWED = "(allowed: \"journal\", \"off\", or an absolute file path such "
            + "as \"/var/log/lb/access.log\")";
    private static final String DURATION_HINT = "(use e.g. \"250ms\", \"5s\", \"2m\", \"1h\")";
    private static final String SIZE_HINT = "(use a byte count, or e.g. \"512B\", \"64KiB\", \"4MiB\", \"1GiB\")";

    @TempDir
    Path dir;

    @Test
    void warmupDefaultsToTwoSecondsAndZeroTurnsItOff() throws Exception {
        assertEquals(Duration.ofSeconds(2), ConfigLoader.parse(VALID, Optional.empty()).daemon().warmup());
        assertEquals(Duration.ZERO, ConfigLoader.parse("[daemon]\nwarmup = \"0s\"\n" + VALID, Optional.empty())
                .daemon().warmup());
        assertEquals(Duration.ofSeconds(60), ConfigLoader.parse("[daemon]\nwarmup = \"1m\"\n" + VALID, Optional.empty())
                .daemon().warmup());
    }

    @Test
    void fullConfigLoadsIntoExactRecords() throws Exception {
        Path file = write("full.toml", """
                [daemon]
                workers = 3
                shutdown_grace = "10s"
                access_log = false
                admin_socket = "/run/lb-test/admin.sock"
                admin_socket_group = "lb"
                state_file = "/var/lib/lb-test/state.json"
                stats = false
                buffer_size = "16KiB"
                buffer_pool_max = 8388608

                [metrics]
                listen = "127.0.0.1:9090"
                path = "/lb/metrics"

                [[listener]]
                name = "web"
                bind = "127.0.0.1:8080"
                pool = "web"
                connect_timeout = "250ms"
                idle_timeout = "0s"
                half_close_timeout = "1m"
                max_connections = 5000
                backlog = 128
                accept = "shared"
                tcp_nodelay = false
                keepalive = true
                send_buffer = "256KiB"
                receive_buffer = 131072

                [[listener]]
                name = "api.v2"
                bind = "[::1]:0"
                pool = "api"

                [[pool]]
                name = "web"
                algorithm = "round_robin"
                retries = 0
                connect_timeout = "1s"
                idle_timeout = "2h"
                half_close_timeout = "0s"

                  [[pool.backend]]
                  name = "web-1"
                  address = "127.0.0.1:9001"
                  weight = 10

                  [[pool.backend]]
                  address = "[::1]:9002"

                [[pool]]
                name = "api"

                  [[pool.backend]]
                  address = "127.0.0.2:9003"
                """);

        Config expected = new Config(Optional.of(file),
                new DaemonConfig(3, Duration.ofSeconds(10), false, 16 * 1024, 8 * 1024 * 1024,
                        Path.of("/run/lb-test/admin.sock"), "lb", Path.of("/var/lib/lb-test/state.json"), false),
                List.of(new ListenerConfig("web", address("127.0.0.1", 8080), "web",
                                new Timeouts(Duration.ofMillis(250), Duration.ZERO, Duration.ofMinutes(1)), 5000, 128,
                                AcceptMode.SHARED, new SocketOptions(false, true, 256 * 1024, 131072)),
                        new ListenerConfig("api.v2", address("::1", 0), "api", Timeouts.DEFAULTS, 0, 1024,
                                AcceptMode.REUSEPORT, SocketOptions.DEFAULTS)),
                List.of(new PoolConfig("web", "round_robin", 0, Duration.ofSeconds(1), Duration.ofHours(2), Duration.ZERO,
                                List.of(new BackendConfig("web-1", address("127.0.0.1", 9001), 10),
                                        new BackendConfig("[::1]:9002", address("::1", 9002), 1))),
                        new PoolConfig("api", "round_robin", 2, null, null, null,
                                List.of(new BackendConfig("127.0.0.2:9003", address("127.0.0.2", 9003), 1)))),
                new MetricsConfig(address("127.0.0.1", 9090), "/lb/metrics"));
        assertEquals(expected, ConfigLoader.load(file));
    }

    @Test
    void balancerOptionsAreReadIntoThePoolConfig() throws Exception {
        Config config = ConfigLoader.parse(LISTENER + pool("""
                hash_key = "client_ip_port"
                hash_fallback = "reject"
                ring_size = 2048
                maglev_table_size = 251
                bounded_load_factor = 2
                """), Optional.empty());
        assertEquals(new BalancerOptions(HashKey.CLIENT_IP_PORT, HashFallback.REJECT, 2048, 251, 2.0),
                config.pools().get(0).balancerOptions(), "an integer factor is accepted as a number");
        Config defaults = ConfigLoader.parse(VALID, Optional.empty());
        assertEquals(BalancerOptions.DEFAULTS, defaults.pools().get(0).balancerOptions());
        assertEquals(1.5, ConfigLoader.parse(LISTENER + pool("bounded_load_factor = 1.5\n"), Optional.empty())
                .pools().get(0).balancerOptions().boundedLoadFactor());
    }

    @Test
    void healthTablesAreReadIntoThePoolConfig() throws Exception {
        Config config = ConfigLoader.parse(LISTENER + pool("""
                panic_threshold = 25
                slow_start = "30s"
                [pool.health]
                type = "send_expect"
                interval = "500ms"
                timeout = "200ms"
                rise = 1
                fall = 4
                port = 6380
                send = 'PING\\r\\n\\x00'
                expect = "+PONG"
                initial_state = "up"
                [pool.outlier]
                consecutive_failures = 3
                ejection_time = "5s"
                """) + "max_connections = 100\n", Optional.empty());
        PoolConfig pool = config.pools().get(0);
        assertEquals(new HealthConfig(new ActiveCheck(ActiveCheck.Type.SEND_EXPECT, Duration.ofMillis(500),
                Duration.ofMillis(200), 1, 4, 6380, "/", null, 200, 399, "PING\r\n\0".getBytes(StandardCharsets.US_ASCII),
                "+PONG".getBytes(StandardCharsets.US_ASCII), true), new PassiveCheck(3, Duration.ofSeconds(5),
                PassiveCheck.DEFAULT_MAX_EJECTION_TIME, 50), 25, Duration.ofSeconds(30)), pool.health());
        assertEquals(100, pool.backends().get(0).maxConnections());

        Config http = ConfigLoader.parse(LISTENER + pool("[pool.health]\ntype = \"http\"\nexpect_status = 204\n"),
                Optional.empty());
        ActiveCheck check = http.pools().get(0).health().active();
        assertEquals(List.of(ActiveCheck.Type.HTTP, 204, 204, false, ActiveCheck.DEFAULT_INTERVAL),
                List.of(check.type(), check.statusMin(), check.statusMax(), check.initialUp(), check.interval()));
        assertEquals(HealthConfig.DEFAULTS, ConfigLoader.parse(VALID, Optional.empty()).pools().get(0).health());
    }

    @Test
    void backupPutsABackendInTheBackupTierAndAPoolOfOnlyBackupsIsAllowed() throws Exception {
        Config config = ConfigLoader.parse(VALID + "[[pool.backend]]\naddress = \"127.0.0.1:9002\"\nbackup = true\n",
                Optional.empty());
        assertEquals(List.of(Tiers.PRIMARY, Tiers.BACKUP),
                config.pools().get(0).backends().stream().map(BackendConfig::tier).toList());
        Config onlyBackups = ConfigLoader.parse(VALID + "backup = true\n", Optional.empty());
        assertEquals(Tiers.BACKUP, onlyBackups.pools().get(0).backends().get(0).tier());
    }

    private static final String DISCOVERY_POOL = """
            [[listener]]
            name = "web"
            bind = "127.0.0.1:8080"
            pool = "web"
            [[pool]]
            name = "web"
            [pool.discovery]
            """;

    @Test
    void discoveryIsReadWithItsDefaultsAndAPoolWithItNeedsNoBackend() throws Exception {
        Config config = ConfigLoader.parse(DISCOVERY_POOL + "name = \"_app._tcp.svc.example.\"\n"
                + "resolvers = [\"127.0.0.53:53\", \"10.0.0.2\", \"[::1]:5353\"]\n", Optional.empty());
        PoolConfig pool = config.pools().get(0);
        assertEquals(List.of(), pool.backends());
        assertEquals(new DiscoveryConfig("_app._tcp.svc.example", DiscoveryConfig.Type.SRV, 0, List.of(
                new InetSocketAddress(InetAddress.getByName("127.0.0.53"), 53),
                new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 53),
                new InetSocketAddress(InetAddress.getByName("::1"), 5353)), null, Duration.ofSeconds(1),
                Duration.ofMinutes(5), Duration.ofSeconds(2), 256, false), pool.discovery());
        DiscoveryConfig a = ConfigLoader.parse(DISCOVERY_POOL + "name = \"app.example\"\nport = 8080\n"
                + "refresh = \"5s\"\nbackup = true\nmax_backends = 3\ntimeout = \"500ms\"\n", Optional.empty())
                .pools().get(0).discovery();
        assertEquals(List.of(DiscoveryConfig.Type.A_AAAA, 8080, Duration.ofSeconds(5), true, 3, Duration.ofMillis(500)),
                List.of(a.type(), a.port(), a.refresh(), a.backup(), a.maxBackends(), a.timeout()));
        assertEquals(ResolvConf.nameservers(ResolvConf.DEFAULT), a.resolvers(), "default: /etc/resolv.conf");
    }

    @Test
    void resolvConfGivesItsNameserversOrTheLocalHost(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("resolv.conf");
        Files.writeString(file, "# comment\nsearch example\nnameserver 127.0.0.53\nnameserver ::1\nnameserver x\n"
                + "options edns0\nnameserver 10.0.0.1\nnameserver 10.0.0.2\n");
        assertEquals(List.of(new InetSocketAddress(InetAddress.getByName("127.0.0.53"), 53),
                new InetSocketAddress(InetAddress.getByName("::1"), 53),
                new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 53)), ResolvConf.nameservers(file));
        assertEquals(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 53)),
                ResolvConf.nameservers(dir.resolve("missing")));
    }

    static Stream<Case> badDiscovery() {
        return Stream.of(
                bad(DISCOVERY_POOL, "pool[0].discovery.name: missing (required: the DNS name to query, e.g. "
                        + "\"_http._tcp.app.example\")"),
                bad(DISCOVERY_POOL + "name = \"a b\"\nport = 80\n", "pool[0].discovery.name: \"a b\" is not a DNS name "
                        + "(labels of 1..63 letters, digits, _ or -, dot-separated)"),
                bad(DISCOVERY_POOL + "name = \"app.example\"\n", "pool[0].discovery.port: missing (required with "
                        + "type = \"a+aaaa\": the backends' port 1..65535)"),
                bad(DISCOVERY_POOL + "name = \"_a._tcp.example\"\nport = 80\n", "pool[0].discovery.port: not with "
                        + "type = \"srv\": each SRV record carries its port"),
                bad(DISCOVERY_POOL + "name = \"app.example\"\ntype = \"mx\"\nport = 80\n",
                        "pool[0].discovery.type: unknown record type \"mx\" (known: srv, a, aaaa, a+aaaa)"),
                bad(DISCOVERY_POOL + "name = \"_a._tcp.example\"\nresolvers = [\"dns.example:53\"]\n",
                        "pool[0].discovery.resolvers[0]: \"dns.example:53\" is not an IP address with an optional port "
                        + "(\"127.0.0.53:53\", \"[2001:db8::53]:53\", \"10.0.0.2\")"),
                bad(DISCOVERY_POOL + "name = \"_a._tcp.example\"\nresolvers = []\n",
                        "pool[0].discovery.resolvers: empty (leave it out to use /etc/resolv.conf's name servers)"),
                bad(DISCOVERY_POOL + "name = \"_a._tcp.example\"\nrefresh = \"often\"\n",
                        "pool[0].discovery.refresh: \"often\" is not a duration (use e.g. \"250ms\", \"5s\", \"2m\", "
                                + "\"1h\")"),
                bad(DISCOVERY_POOL + "name = \"_a._tcp.example\"\nmin_refresh = \"10s\"\nmax_refresh = \"5s\"\n",
                        "pool[0].discovery.max_refresh: 5s is below min_refresh (10s)"),
                bad(DISCOVERY_POOL + "name = \"_a._tcp.example\"\nmax_backends = 0\n",
                        "pool[0].discovery.max_backends: 0 is out of range (allowed: 1..10000)"),
                bad(DISCOVERY_POOL + "name = \"_a._tcp.example\"\nttl = 5\n", "pool[0].discovery.ttl: unknown key "
                        + "(known: backup, max_backends, max_refresh, min_refresh, name, port, refresh, resolvers, "
                        + "timeout, type)"),
                bad(DISCOVERY_POOL.replace("name = \"web\"\n[pool", "name = \"web\"\nalgorithm = \"maglev\"\n"
                        + "maglev_table_size = 251\n[pool") + "name = \"_a._tcp.example\"\n",
                        "pool[0].maglev_table_size: 251 is not above the number of backends (256); Maglev wants at "
                                + "least 100 times as many slots as backends"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDiscovery")
    void badDiscoveryIsRejectedWithExactlyTheseErrors(Case bad) {
        assertEquals(bad.errors(), errors(bad.toml()));
    }

    @Test
    void omittedKeysTakeTheirDefaults() throws Exception {
        Config config = ConfigLoader.parse(VALID, Optional.empty());

        assertEquals(new DaemonConfig(expectedAutoWorkers(), Duration.ofSeconds(30), true, DaemonConfig.DEFAULT_BUFFER_SIZE,
                DaemonConfig.AUTO_BUFFER_POOL_MAX, DaemonConfig.DEFAULT_ADMIN_SOCKET, null), config.daemon());
        assertEquals(List.of(new ListenerConfig("web", address("127.0.0.1", 8080), "web", Timeouts.DEFAULTS, 0, 1024,
                AcceptMode.REUSEPORT, SocketOptions.DEFAULTS)), config.listeners());
        assertEquals(List.of(new PoolConfig("web", "round_robin", 2, null, null, null,
                List.of(new BackendConfig("127.0.0.1:9001", address("127.0.0.1", 9001), 1)))), config.pools());
        assertEquals(Optional.empty(), config.source());
    }

    @Test
    void accessLogIsJournalOffOrAFileAndTheOldBooleansStillMeanJournalAndOff() throws Exception {
        record Target(boolean on, Path file, AccessLogFormat format) {
        }
        Map<String, Target> expected = new LinkedHashMap<>();
        expected.put("", new Target(true, null, AccessLogFormat.LOGFMT));
        expected.put("access_log = true\n", new Target(true, null, AccessLogFormat.LOGFMT));
        expected.put("access_log = \"journal\"\n", new Target(true, null, AccessLogFormat.LOGFMT));
        expected.put("access_log = false\n", new Target(false, null, AccessLogFormat.LOGFMT));
        expected.put("access_log = \"off\"\n", new Target(false, null, AccessLogFormat.LOGFMT));
        expected.put("access_log = \"/var/log/lb/access.log\"\naccess_log_format = \"json\"\n",
                new Target(true, Path.of("/var/log/lb/access.log"), AccessLogFormat.JSON));
        expected.put("access_log_format = \"logfmt\"\n", new Target(true, null, AccessLogFormat.LOGFMT));
        for (Map.Entry<String, Target> e : expected.entrySet()) {
            DaemonConfig d = ConfigLoader.parse("[daemon]\n" + e.getKey() + VALID, Optional.empty()).daemon();
            assertEquals(e.getValue(), new Target(d.accessLog(), d.accessLogFile(), d.accessLogFormat()), e.getKey());
        }
    }

    @Test
    void workersAutoAndZeroMeanOnePerCore() throws Exception {
        for (String workers : List.of("\"auto\"", "0")) {
            Config config = ConfigLoader.parse("[daemon]\nworkers = " + workers + "\n" + VALID, Optional.empty());
            assertEquals(expectedAutoWorkers(), config.daemon().workers(), workers);
        }
    }

    @Test
    void listenersOnPortZeroDoNotCollide() throws Exception {
        String toml = VALID.replace("127.0.0.1:8080", "127.0.0.1:0")
                + LISTENER.replace("\"web\"\nbind", "\"web2\"\nbind").replace("127.0.0.1:8080", "127.0.0.1:0");
        assertEquals(2, ConfigLoader.parse(toml, Optional.empty()).listeners().size());
    }

    @Test
    void unusedPoolIsAllowed() throws Exception {
        Config config = ConfigLoader.parse(VALID + POOL.replace("\"web\"", "\"spare\""), Optional.empty());
        assertEquals(List.of("web", "spare"), config.pools().stream().map(PoolConfig::name).toList());
    }

    /** One bad config and every error it must give, exactly, in order. */
    record Case(String toml, List<String> errors) {
        @Override
        public String toString() {
            return String.join(" | ", errors);
        }
    }

    /** Pool "web" with {@code keys} added to its table (before its backend table starts). */
    private static String pool(String keys) {
        return POOL.replace("[[pool.backend]]", keys + "[[pool.backend]]");
    }

    private static Case bad(String toml, String... errors) {
        return new Case(toml, List.of(errors));
    }

    static Stream<Case> badConfigs() {
        return Stream.of(
                // [daemon]
                bad("[daemon]\nworkers = \"two\"\n" + VALID, "daemon.workers: \"two\" is not an integer " + WORKERS_RANGE),
                bad("[daemon]\nworkers = 1.5\n" + VALID, "daemon.workers: 1.5 is not an integer " + WORKERS_RANGE),
                bad("[daemon]\nworkers = 257\n" + VALID, "daemon.workers: 257 is out of range " + WORKERS_RANGE),
                bad("[daemon]\nworkers = -1\n" + VALID, "daemon.workers: -1 is out of range " + WORKERS_RANGE),
                bad("[daemon]\nshutdown_grace = \"5\"\n" + VALID,
                        "daemon.shutdown_grace: \"5\" is not a duration " + DURATION_HINT),
                bad("[daemon]\nshutdown_grace = 30\n" + VALID,
                        "daemon.shutdown_grace: 30 is not a duration " + DURATION_HINT),
                bad("[daemon]\nshutdown_grace = \"25h\"\n" + VALID,
                        "daemon.shutdown_grace: \"25h\" is out of range (allowed: 0s..24h)"),
                bad("[daemon]\naccess_log = \"yes\"\n" + VALID,
                        "daemon.access_log: \"yes\" is not an absolute file path " + ACCESS_LOG_ALLOWED),
                bad("[daemon]\naccess_log = \"access.log\"\n" + VALID,
                        "daemon.access_log: \"access.log\" is not an absolute file path " + ACCESS_LOG_ALLOWED),
                bad("[daemon]\naccess_log = \"/var/log/lb/\"\n" + VALID,
                        "daemon.access_log: \"/var/log/lb/\" is not an absolute file path " + ACCESS_LOG_ALLOWED),
                bad("[daemon]\naccess_log = 1\n" + VALID,
                        "daemon.access_log: 1 is not a string or boolean " + ACCESS_LOG_ALLOWED),
                bad("[daemon]\naccess_log_format = \"JSON\"\n" + VALID,
                        "daemon.access_log_format: \"JSON\" is not a format (allowed: \"logfmt\", \"json\")"),
                bad("[daemon]\naccess_log_format = true\n" + VALID,
                        "daemon.access_log_format: true is not a string"),
                bad("[daemon]\nbuffer_size = \"1KiB\"\n" + VALID,
                        "daemon.buffer_size: \"1KiB\" is out of range (allowed: 4KiB..16MiB)"),
                bad("[daemon]\nbuffer_size = 1024\n" + VALID,
                        "daemon.buffer_size: 1024 is out of range (allowed: 4KiB..16MiB)"),
                bad("[daemon]\nbuffer_size = \"32MiB\"\n" + VALID,
                        "daemon.buffer_size: \"32MiB\" is out of range (allowed: 4KiB..16MiB)"),
                bad("[daemon]\nbuffer_size = \"64KB\"\n" + VALID, "daemon.buffer_size: \"64KB\" is not a size " + SIZE_HINT),
                bad("[daemon]\nbuffer_size = 1.5\n" + VALID, "daemon.buffer_size: 1.5 is not a size " + SIZE_HINT),
                bad("[daemon]\nbuffer_size = \"64KiB\"\nbuffer_pool_max = \"32KiB\"\n" + VALID,
                        "daemon.buffer_pool_max: \"32KiB\" is out of range (allowed: buffer_size (64KiB) or more)"),
                bad("[daemon]\nwarmup = \"90s\"\n" + VALID,
                        "daemon.warmup: \"90s\" is out of range (allowed: 0s..60s)"),
                bad("[daemon]\nwarmup = \"-1s\"\n" + VALID, "daemon.warmup: \"-1s\" is not a duration " + DURATION_HINT),
                bad("[daemon]\nwarmup = 2\n" + VALID, "daemon.warmup: 2 is not a duration " + DURATION_HINT),
                bad("[daemon]\nworker = 2\n" + VALID,
                        "daemon.worker: unknown key, did you mean workers? (known: access_log, access_log_format, admin_socket, admin_socket_group, buffer_pool_max, buffer_size, "
                        + "drain_delay, shutdown_grace, state_file, stats, warmup, workers)"),
                bad("daemon = 5\n" + VALID, "daemon: 5 is not a table (write [daemon])"),
                // top level
                bad("timeout = \"5s\"\n" + VALID, "timeout: unknown key (known: daemon, listener, metrics, pool)"),
                bad(POOL, "listener: missing (at least one [[listener]] is required)"),
                bad(LISTENER,
                        "listener[0].pool: no pool named \"web\" (pools: none)",
                        "pool: missing (at least one [[pool]] is required)"),
                bad("listener = \"web\"\n" + POOL,
                        "listener: \"web\" is not an array of tables (write each as [[listener]])"),
                bad("listener = []\n" + POOL, "listener: missing (at least one [[listener]] is required)"),
                bad("listener = [1]\n" + POOL, "listener[0]: 1 is not a table (write each as [[listener]])"),
                // [[listener]]
                bad(VALID.replace("127.0.0.1:8080", "127.0.0.1:99999"),
                        "listener[0].bind: \"127.0.0.1:99999\" is not host:port with a port 0..65535"),
                bad(VALID.replace("127.0.0.1:8080", "127.0.0.1"),
                        "listener[0].bind: \"127.0.0.1\" is not host:port with a port 0..65535"),
                bad(VALID.replace("127.0.0.1:8080", ":8080"),
                        "listener[0].bind: \":8080\" is not host:port with a port 0..65535"),
                bad(VALID.replace("127.0.0.1:8080", "::1:8080"),
                        "listener[0].bind: \"::1:8080\" is not host:port with a port 0..65535"),
                bad(VALID.replace("127.0.0.1:8080", "[::1]8080"),
                        "listener[0].bind: \"[::1]8080\" is not host:port with a port 0..65535"),
                bad(VALID.replace("127.0.0.1:8080", "127.0.0.1:-1"),
                        "listener[0].bind: \"127.0.0.1:-1\" is not host:port with a port 0..65535"),
                bad(VALID.replace("127.0.0.1:8080", "127.0.0.1 :8080"),
                        "listener[0].bind: \"127.0.0.1 :8080\" is not host:port with a port 0..65535"),
                bad(VALID.replace("127.0.0.1:8080", "nowhere.invalid:8080"),
                        "listener[0].bind: cannot resolve host \"nowhere.invalid\""),
                bad(VALID.replace("\"127.0.0.1:8080\"", "8080"), "listener[0].bind: 8080 is not a string"),
                bad("[[listener]]\n" + POOL,
                        "listener[0].bind: missing (required: host:port to listen on)",
                        "listener[0].name: missing (required: a unique name)",
                        "listener[0].pool: missing (required: the name of a [[pool]])"),
                bad(VALID.replace("pool = \"web\"", "pool = \"api\""), "listener[0].pool: no pool named \"api\" (pools: web)"),
                bad(VALID.replace("name = \"web\"\nbind", "name = \"my web\"\nbind"),
                        "listener[0].name: \"my web\" is not a valid name (allowed: 1..64 characters from A-Z a-z 0-9 _ . -)"),
                bad(VALID.replace("name = \"web\"\nbind", "name = \"" + "x".repeat(65) + "\"\nbind"),
                        "listener[0].name: \"" + "x".repeat(65)
                                + "\" is not a valid name (allowed: 1..64 characters from A-Z a-z 0-9 _ . -)"),
                bad(LISTENER + "idle_timeout = \"5\"\n" + POOL,
                        "listener[0].idle_timeout: \"5\" is not a duration " + DURATION_HINT),
                bad(LISTENER + "idle_timeout = \"25h\"\n" + POOL,
                        "listener[0].idle_timeout: \"25h\" is out of range (allowed: 0s..24h; 0s = none)"),
                bad(LISTENER + "connect_timeout = \"0s\"\n" + POOL,
                        "listener[0].connect_timeout: \"0s\" is out of range (allowed: 1ms..24h)"),
                bad(LISTENER + "connect_timeout = \"-1s\"\n" + POOL,
                        "listener[0].connect_timeout: \"-1s\" is not a duration " + DURATION_HINT),
                bad(LISTENER + "half_close_timeout = \"1.5s\"\n" + POOL,
                        "listener[0].half_close_timeout: \"1.5s\" is not a duration " + DURATION_HINT),
                bad(LISTENER + "half_close_timeout = \"5 s\"\n" + POOL,
                        "listener[0].half_close_timeout: \"5 s\" is not a duration " + DURATION_HINT),
                bad(LISTENER + "max_connections = 10000001\n" + POOL,
                        "listener[0].max_connections: 10000001 is out of range (allowed: 0..10000000; 0 = unlimited)"),
                bad(LISTENER + "backlog = 0\n" + POOL, "listener[0].backlog: 0 is out of range (allowed: 1..65535)"),
                bad(LISTENER + "backlog = \"128\"\n" + POOL,
                        "listener[0].backlog: \"128\" is not an integer (allowed: 1..65535)"),
                bad(LISTENER + "accept = \"fast\"\n" + POOL,
                        "listener[0].accept: unknown accept mode \"fast\" (known: reuseport, shared)"),
                bad(LISTENER + "tcp_nodelay = 1\n" + POOL, "listener[0].tcp_nodelay: 1 is not a boolean (use true or false)"),
                bad(LISTENER + "keepalive = \"false\"\n" + POOL,
                        "listener[0].keepalive: \"false\" is not a boolean (use true or false)"),
                bad(LISTENER + "send_buffer = \"2GiB\"\n" + POOL,
                        "listener[0].send_buffer: \"2GiB\" is out of range (allowed: 0..1GiB; 0 = kernel default)"),
                bad(LISTENER + "receive_buffer = -1\n" + POOL,
                        "listener[0].receive_buffer: -1 is out of range (allowed: 0..1GiB; 0 = kernel default)"),
                bad(LISTENER + "timeout = \"5s\"\n" + POOL, "listener[0].timeout: unknown key (known: accept, "
                        + "allow, backlog, bind, client_hello_max, client_hello_timeout, connect_timeout, default_pool, "
                        + "deny, half_close_timeout, idle_timeout, keepalive, max_connections, max_tracked_sources, name, "
                        + "pool, proxy_protocol, proxy_protocol_timeout, proxy_protocol_trusted, rate_limit, "
                        + "rate_limit_burst, receive_buffer, route, send_buffer, source_burst, source_max_connections, "
                        + "source_prefix_ipv4, source_prefix_ipv6, source_rate, tcp_nodelay)"),
                bad(LISTENER + "default_pool = \"web\"\n" + POOL,
                        "listener[0].default_pool: is for listeners with [[listener.route]] tables; without routes use pool"),
                bad(LISTENER.replace("pool = \"web\"\n", "") + "[[listener.route]]\nsni = [\"a.example.com\"]\n"
                        + "pool = \"web\"\n" + POOL,
                        "listener[0].default_pool: missing (required with routes: the pool for sessions no route takes, "
                        + "or \"reject\" to reset them)"),
                bad(LISTENER + "client_hello_max = \"64KiB\"\n[[listener.route]]\nsni = [\"a.*.com\", \"bad name\", "
                        + "\"*.ok.example\"]\nalpn = [\"\"]\npool = \"nope\"\n[[listener.route]]\npool = \"web\"\n"
                        + "[[listener.route]]\nsni = [\"b.example\"]\npool = \"web\"\n[[listener.route]]\nsni = [\"c\"]\n"
                        + "pool = \"web\"\nport = 5\n" + POOL,
                        "listener[0].client_hello_max: \"64KiB\" is out of range (allowed: 1KiB..40KiB)",
                        "listener[0].route[0].alpn[0]: \"\" is not a protocol name (1..255 printable ASCII characters, "
                        + "e.g. \"h2\" or \"http/1.1\")",
                        "listener[0].route[0].pool: no pool named \"nope\" (pools: web)",
                        "listener[0].route[0].sni[0]: \"a.*.com\" has a * other than as its whole first label "
                        + "(\"*.example.org\" is the only wildcard form)",
                        "listener[0].route[0].sni[1]: \"bad name\" has a character a server name cannot have: \" \" "
                        + "(IDN names are written as the client sends them, in xn-- form)",
                        "listener[0].route[1].sni: missing (a route needs sni, alpn or both)",
                        "listener[0].route[2].name: duplicate route name \"web\" (also listener[0].route[1]): two "
                        + "routes to one pool need names",
                        "listener[0].route[3].name: duplicate route name \"web\" (also listener[0].route[1]): two "
                        + "routes to one pool need names",
                        "listener[0].route[3].port: unknown key (known: alpn, name, pool, sni)"),
                bad(LISTENER + "source_prefix_ipv4 = 33\nsource_prefix_ipv6 = 0\nmax_tracked_sources = 1000001\n" + POOL,
                        "listener[0].max_tracked_sources: 1000001 is out of range (allowed: 1..1000000)",
                        "listener[0].source_prefix_ipv4: 33 is out of range (allowed: 1..32)",
                        "listener[0].source_prefix_ipv6: 0 is out of range (allowed: 1..128)"),
                bad(LISTENER + "source_burst = 5\nrate_limit_burst = 5\nsource_rate = -1\n" + POOL,
                        "listener[0].rate_limit_burst: has no effect without rate_limit",
                        "listener[0].source_burst: has no effect without source_rate",
                        "listener[0].source_rate: -1 is out of range (allowed: 0..10000000 new connections a second; 0 = "
                        + "no limit)"),
                bad(LISTENER + "deny = [\"10.0.0.0/40\"]\nsource_max_connections = \"50\"\n" + POOL,
                        "listener[0].deny[0]: \"10.0.0.0/40\": prefix length must be 0..32 for IPv4",
                        "listener[0].source_max_connections: \"50\" is not an integer (allowed: 0..10000000; 0 = no limit)"),
                bad(LISTENER + "proxy_protocol = \"v3\"\n" + POOL,
                        "listener[0].proxy_protocol: unknown PROXY protocol version \"v3\" (known: none, v1, v2, any)"),
                bad(LISTENER + "proxy_protocol_timeout = \"1s\"\n" + POOL, "listener[0].proxy_protocol_timeout: has no "
                        + "effect without proxy_protocol = \"v1\", \"v2\" or \"any\""),
                bad(LISTENER + "proxy_protocol = \"any\"\nproxy_protocol_timeout = \"0s\"\n" + POOL,
                        "listener[0].proxy_protocol_timeout: \"0s\" is out of range (allowed: 1ms..24h)"),
                bad(LISTENER + "proxy_protocol = \"v2\"\nproxy_protocol_trusted = \"10.0.0.0/8\"\n" + POOL,
                        "listener[0].proxy_protocol_trusted: \"10.0.0.0/8\" is not an array (write [\"10.0.0.0/8\", "
                        + "\"2001:db8::/32\"])"),
                bad(LISTENER + "proxy_protocol = \"v2\"\nproxy_protocol_trusted = [\"10.0.0.1/8\", \"lb.example\", "
                        + "\"::1/129\"]\n" + POOL,
                        "listener[0].proxy_protocol_trusted[0]: \"10.0.0.1/8\": host bits set after the prefix (did you "
                        + "mean 10.0.0.0/8?)",
                        "listener[0].proxy_protocol_trusted[1]: \"lb.example\" is not an address prefix (write "
                        + "\"10.0.0.0/8\", \"2001:db8::/32\", or one address)",
                        "listener[0].proxy_protocol_trusted[2]: \"::1/129\": prefix length must be 0..128 for IPv6"),
                bad(LISTENER + "proxy_protocol = \"v2\"\nproxy_protocol_trusted = [7]\n" + POOL,
                        "listener[0].proxy_protocol_trusted[0]: 7 is not a string such as \"10.0.0.0/8\""),
                bad(LISTENER + LISTENER + POOL,
                        "listener[1].bind: duplicate bind \"127.0.0.1:8080\" (also listener[0])",
                        "listener[1].name: duplicate name \"web\" (also listener[0])"),
                bad(LISTENER + LISTENER.replace("127.0.0.1:8080", "[::1]:8080") + POOL,
                        "listener[1].name: duplicate name \"web\" (also listener[0])"),
                // [[pool]]
                bad(LISTENER + pool("algorithm = \"fastest\"\n"),
                        "pool[0].algorithm: unknown algorithm \"fastest\" (known: " + ALGORITHMS + ")"),
                bad(LISTENER + pool("algorithm = 1\n"), "pool[0].algorithm: 1 is not a string"),
                bad(LISTENER + pool("retries = 17\n"), "pool[0].retries: 17 is out of range (allowed: 0..16)"),
                bad(LISTENER + pool("retries = \"2\"\n"), "pool[0].retries: \"2\" is not an integer (allowed: 0..16)"),
                bad(LISTENER + pool("connect_timeout = \"5\"\n"),
                        "pool[0].connect_timeout: \"5\" is not a duration " + DURATION_HINT),
                bad(LISTENER + pool("idle_timeout = \"25h\"\n"),
                        "pool[0].idle_timeout: \"25h\" is out of range (allowed: 0s..24h; 0s = none)"),
                bad(LISTENER + pool("algo = \"x\"\n"), "pool[0].algo: unknown key (known: algorithm, backend, "
                        + "bounded_load_factor, connect_timeout, discovery, half_close_timeout, hash_fallback, hash_key, health, "
                        + "idle_timeout, maglev_table_size, name, outlier, panic_threshold, proxy_protocol, retries, "
                        + "ring_size, slow_start)"),
                bad(LISTENER + pool("proxy_protocol = \"any\"\n"),
                        "pool[0].proxy_protocol: unknown PROXY protocol version \"any\" (known: none, v1, v2)"),
                bad(LISTENER + pool("hash_key = \"client_port\"\n"),
                        "pool[0].hash_key: unknown hash key \"client_port\" (known: client_ip, client_ip_port)"),
                bad(LISTENER + pool("hash_fallback = \"random\"\n"),
                        "pool[0].hash_fallback: unknown hash fallback \"random\" (known: next, reject)"),
                bad(LISTENER + pool("ring_size = 0\n"), "pool[0].ring_size: 0 is out of range (allowed: 1..65536)"),
                bad(LISTENER + pool("maglev_table_size = 65536\n"),
                        "pool[0].maglev_table_size: 65536 is not a prime (nearest primes: 65521, 65537)"),
                bad(LISTENER + pool("maglev_table_size = 2\n"), "pool[0].maglev_table_size: 2 is out of range "
                        + "(allowed: a prime 3..5000011 above the number of backends)"),
                bad(LISTENER + pool("maglev_table_size = 3\n") + "[[pool.backend]]\naddress = \"127.0.0.1:9002\"\n"
                        + "[[pool.backend]]\naddress = \"127.0.0.1:9003\"\n",
                        "pool[0].maglev_table_size: 3 is not above the number of backends (3); Maglev wants at least "
                        + "100 times as many slots as backends"),
                bad(LISTENER + pool("bounded_load_factor = 0.5\n"),
                        "pool[0].bounded_load_factor: 0.5 is out of range (allowed: 1.0..100.0)"),
                bad("[daemon]\nadmin_socket = \"run/lb.sock\"\nadmin_socket_group = \"1 2\"\n" + VALID,
                        "daemon.admin_socket: \"run/lb.sock\" is not an absolute path of at most 100 bytes (Unix "
                                + "socket paths are short); \"\" = no admin socket",
                        "daemon.admin_socket_group: \"1 2\" is not a group name"),
                bad("[daemon]\nadmin_socket = \"/" + "\u00e9".repeat(60) + "\"\n" + VALID,
                        "daemon.admin_socket: \"/" + "\u00e9".repeat(60) + "\" is not an absolute path of at most 100 "
                                + "bytes (Unix socket paths are short); \"\" = no admin socket"),
                bad("[metrics]\nlisten = \"127.0.0.1\"\npath = \"metrics\"\nport = 9\n" + VALID,
                        "metrics.listen: \"127.0.0.1\" is not host:port with a port 0..65535",
                        "metrics.path: \"metrics\" is not a URL path (starts with /, letters, digits, . _ ~ - /)",
                        "metrics.port: unknown key (known: listen, path)"),
                bad("[daemon]\nstate_file = \"lb/state.json\"\n" + VALID,
                        "daemon.state_file: \"lb/state.json\" is not an absolute file path; \"\" = none"),
                bad("[daemon]\nstate_file = \"/var/lib/lb/\"\n" + VALID,
                        "daemon.state_file: \"/var/lib/lb/\" is not an absolute file path; \"\" = none"),
                bad(LISTENER + pool("panic_threshold = 101\n"),
                        "pool[0].panic_threshold: 101 is out of range (allowed: 0..100 (percent); 0 = never)"),
                bad(LISTENER + pool("slow_start = \"soon\"\n"),
                        "pool[0].slow_start: \"soon\" is not a duration " + DURATION_HINT),
                bad(LISTENER + pool("[pool.health]\ninterval = \"1s\"\n"),
                        "pool[0].health.type: missing (required: tcp, http or send_expect)"),
                bad(LISTENER + pool("[pool.health]\ntype = \"icmp\"\n"),
                        "pool[0].health.type: unknown check type \"icmp\" (known: tcp, http, send_expect)"),
                bad(LISTENER + pool("[pool.health]\ntype = \"tcp\"\ninterval = \"1s\"\ntimeout = \"2s\"\n"),
                        "pool[0].health.timeout: 2s is longer than interval 1s (a probe must end before the next one starts)"),
                bad(LISTENER + pool("[pool.health]\ntype = \"tcp\"\nrise = 0\nfall = 101\n"),
                        "pool[0].health.fall: 101 is out of range (allowed: 1..100)",
                        "pool[0].health.rise: 0 is out of range (allowed: 1..100)"),
                bad(LISTENER + pool("[pool.health]\ntype = \"tcp\"\npath = \"/x\"\nexpect = \"+OK\"\n"),
                        "pool[0].health.expect: only for type = \"send_expect\" (this check is \"tcp\")",
                        "pool[0].health.path: only for type = \"http\" (this check is \"tcp\")"),
                bad(LISTENER + pool("[pool.health]\ntype = \"http\"\npath = \"healthz\"\nexpect_status = \"500-200\"\n"),
                        "pool[0].health.expect_status: \"500-200\" is out of range (allowed: 100..599, low-high)",
                        "pool[0].health.path: \"healthz\" is not a path (starts with /, printable ASCII, no spaces)"),
                bad(LISTENER + pool("[pool.health]\ntype = \"http\"\nexpect_status = \"2xx\"\n"),
                        "pool[0].health.expect_status: \"2xx\" is not a status or range (e.g. \"200-399\" or 204)"),
                bad(LISTENER + pool("[pool.health]\ntype = \"send_expect\"\nsend = 'PING\\q'\n"),
                        "pool[0].health.expect: missing (required for send_expect: the reply's expected first bytes)",
                        "pool[0].health.send: unknown escape \\q (escapes: \\r \\n \\t \\0 \\\\ \\xHH)"),
                bad(LISTENER + pool("[pool.health]\ntype = \"tcp\"\ninitial_state = \"maybe\"\nspeed = 1\n"),
                        "pool[0].health.initial_state: unknown initial state \"maybe\" (known: down, up)",
                        "pool[0].health.speed: unknown key (known: expect, expect_status, fall, host, initial_state, interval, "
                                + "path, port, rise, send, timeout, type)"),
                bad(LISTENER + pool("[pool.outlier]\nconsecutive_failures = 0\nejection_time = \"1m\"\n"
                                + "max_ejection_time = \"10s\"\nmax_ejection_percent = 150\n"),
                        "pool[0].outlier.consecutive_failures: 0 is out of range (allowed: 1..1000)",
                        "pool[0].outlier.max_ejection_percent: 150 is out of range (allowed: 0..100 (percent))",
                        "pool[0].outlier.max_ejection_time: 10s is shorter than ejection_time 1m"),
                bad(LISTENER + pool("") + "max_connections = -1\n",
                        "pool[0].backend[0].max_connections: -1 is out of range (allowed: 0..10000000; 0 = unlimited)"),
                bad(LISTENER + pool("bounded_load_factor = \"1.25\"\n"),
                        "pool[0].bounded_load_factor: \"1.25\" is not a number (allowed: 1.0..100.0)"),
                bad(LISTENER + "[[pool]]\nname = \"web\"\n",
                        "pool[0].backend: missing (at least one [[pool.backend]] is required)"),
                bad(LISTENER + "[[pool]]\nname = \"web\"\nbackend = 5\n",
                        "pool[0].backend: 5 is not an array of tables (write each as [[pool.backend]])"),
                bad(LISTENER + "[[pool]]\n[[pool.backend]]\naddress = \"127.0.0.1:9001\"\n",
                        "listener[0].pool: no pool named \"web\" (pools: none)",
                        "pool[0].name: missing (required: a unique name)"),
                bad(LISTENER + POOL + POOL, "pool[1].name: duplicate name \"web\" (also pool[0])"),
                bad(LISTENER + POOL.replace("\"web\"", "\"w b\""),
                        "listener[0].pool: no pool named \"web\" (pools: w b)",
                        "pool[0].name: \"w b\" is not a valid name (allowed: 1..64 characters from A-Z a-z 0-9 _ . -)"),
                // [[pool.backend]]
                bad(VALID + "wieght = 3\n",
                        "pool[0].backend[0].wieght: unknown key, did you mean weight? (known: address, backup, max_connections, name, weight)"),
                bad(VALID + "backup = \"yes\"\n", "pool[0].backend[0].backup: \"yes\" is not a boolean (use true or false)"),
                bad(VALID + "weight = 1.5\n", "pool[0].backend[0].weight: 1.5 is not an integer (allowed: 1..1000)"),
                bad(VALID + "weight = 0\n", "pool[0].backend[0].weight: 0 is out of range (allowed: 1..1000)"),
                bad(VALID + "weight = 1001\n", "pool[0].backend[0].weight: 1001 is out of range (allowed: 1..1000)"),
                bad(VALID.replace("127.0.0.1:9001", "127.0.0.1:0"),
                        "pool[0].backend[0].address: \"127.0.0.1:0\" is not host:port with a port 1..65535"),
                bad(VALID.replace("127.0.0.1:9001", "backend.invalid:9001"),
                        "pool[0].backend[0].address: cannot resolve host \"backend.invalid\""),
                bad(LISTENER + "[[pool]]\nname = \"web\"\n[[pool.backend]]\nname = \"b\"\n",
                        "pool[0].backend[0].address: missing (required: host:port of the backend)"),
                bad(VALID + "[[pool.backend]]\naddress = \"127.0.0.1:9001\"\n",
                        "pool[0].backend[1].address: duplicate address \"127.0.0.1:9001\" (also pool[0].backend[0])"),
                bad(VALID + "name = \"a\"\n[[pool.backend]]\nname = \"a\"\naddress = \"127.0.0.1:9002\"\n",
                        "pool[0].backend[1].name: duplicate name \"a\" (also pool[0].backend[0])"),
                bad(VALID + "name = \"a b\"\n", "pool[0].backend[0].name: \"a b\" is not a valid name "
                        + "(allowed: 1..255 printable ASCII characters, no spaces)"),
                bad(VALID + "[[pool.backend]]\naddress = \"127.0.0.1:9002\"\nweight = -3\n",
                        "pool[0].backend[1].weight: -3 is out of range (allowed: 1..1000)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void badConfigIsRejectedWithExactlyTheseErrors(Case bad) {
        assertEquals(bad.errors(), errors(bad.toml()));
    }

    @Test
    void everyProblemInOneFileIsReportedInKeyPathOrder() throws Exception {
        Path file = write("bad.toml", """
                [daemon]
                workers = "two"
                buffer_size = "64KB"

                [[listener]]
                name = "web"
                bind = "127.0.0.1:99999"
                pool = "web"
                idle_timeout = "5"

                [[listener]]
                name = "web"
                bind = "127.0.0.1:8081"
                pool = "api"

                [[pool]]
                name = "web"
                algorithm = "fastest"

                  [[pool.backend]]
                  address = "127.0.0.1:9001"

                  [[pool.backend]]
                  address = "127.0.0.1:9001"

                  [[pool.backend]]
                  address = "127.0.0.1:9003"
                  wieght = 2
                """);

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

        List<String> expected = List.of(
                "daemon.buffer_size: \"64KB\" is not a size " + SIZE_HINT,
                "daemon.workers: \"two\" is not an integer " + WORKERS_RANGE,
                "listener[0].bind: \"127.0.0.1:99999\" is not host:port with a port 0..65535",
                "listener[0].idle_timeout: \"5\" is not a duration " + DURATION_HINT,
                "listener[1].name: duplicate name \"web\" (also listener[0])",
                "listener[1].pool: no pool named \"api\" (pools: web)",
                "pool[0].algorithm: unknown algorithm \"fastest\" (known: " + ALGORITHMS + ")",
                "pool[0].backend[1].address: duplicate address \"127.0.0.1:9001\" (also pool[0].backend[0])",
                "pool[0].backend[2].wieght: unknown key, did you mean weight? (known: address, backup, max_connections, name, weight)");
        assertEquals(expected, e.errors().stream().map(ConfigError::toString).toList());
        assertEquals(String.join("\n", expected), e.getMessage());
    }

    @Test
    void indicesSortNumericallyNotAsText() {
        StringBuilder toml = new StringBuilder(POOL);
        for (int i = 0; i < 11; i++) {
            String port = i == 2 || i == 10 ? "99999" : String.valueOf(8000 + i);
            toml.append(LISTENER.replace("\"web\"\nbind", "\"l" + i + "\"\nbind").replace("8080", port));
        }
        assertEquals(List.of(
                "listener[2].bind: \"127.0.0.1:99999\" is not host:port with a port 0..65535",
                "listener[10].bind: \"127.0.0.1:99999\" is not host:port with a port 0..65535"), errors(toml.toString()));
    }

    static Stream<Case> syntaxErrors() {
        return Stream.of(
                bad("[daemon]\nworkers = 1\nworkers = 2\n" + VALID, "line 3: duplicate key: workers"),
                bad("[daemon]\nworkers =\n" + VALID, "line 2: no value after \"workers =\""),
                bad(LISTENER + "idle_timeout =   # forgot\n" + POOL, "line 5: no value after \"idle_timeout =\""),
                bad(VALID + "name = \"web-1\n", "line 9: unterminated value: name = \"web-1"),
                bad("[daemon\nworkers = 1\n", "line 1: invalid key: [daemon"),
                bad("[daemon]\nworkers = 2 3\n", "line 2: invalid text after key workers. "
                        + "Make sure to terminate the value or add a comment (#)."),
                bad("[daemon]\nworkers = 99999999999999999999\n",
                        "toml: integer too large for 64 bits (For input string: \"99999999999999999999\")"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("syntaxErrors")
    void syntaxErrorIsReportedWithItsLine(Case bad) {
        assertEquals(bad.errors(), errors(bad.toml()));
    }

    @Test
    void keyWithoutValueInsideMultiLineStringIsNotAnError() throws Exception {
        // The multi-line string makes the file invalid for the schema, not for the syntax check.
        List<String> errors = errors("note = \"\"\"\nworkers =\n\"\"\"\n" + VALID);
        assertEquals(List.of("note: unknown key (known: daemon, listener, metrics, pool)"), errors);
    }

    @Test
    void missingFileIsOneErrorNamingThePath() {
        Path missing = dir.resolve("missing.toml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
        assertEquals(List.of(new ConfigError(missing.toString(), "cannot read: no such file")), e.errors());
    }

    @Test
    void directoryIsOneErrorWithTheSystemsReason() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir));
        assertEquals(List.of(new ConfigError(dir.toString(), "cannot read: is a directory")), e.errors());
    }

    @Test
    void fileThatIsNotUtf8IsOneError() throws Exception {
        Path file = dir.resolve("latin1.toml");
        Files.write(file, new byte[] {'#', ' ', (byte) 0xE9, '\n'});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(new ConfigError(file.toString(), "cannot read: not UTF-8 text")), e.errors());
    }

    @Test
    void proxyProtocolKeysAreRead() throws Exception {
        Config config = ConfigLoader.parse(LISTENER.replace("pool = \"web\"", "pool = \"web\"\nproxy_protocol = \"any\"\n"
                + "proxy_protocol_timeout = \"250ms\"\nproxy_protocol_trusted = [\"10.0.0.0/8\", \"2001:db8::1\", "
                + "\"::ffff:192.0.2.0/120\"]") + pool("proxy_protocol = \"v2\"\n"), Optional.empty());
        ProxyProtocolAccept accept = config.listeners().get(0).proxyProtocol();
        assertEquals(lb.proxyproto.ProxyHeaderParser.Accept.ANY, accept.versions());
        assertEquals(Duration.ofMillis(250), accept.timeout());
        assertEquals("[10.0.0.0/8, 2001:db8::1/128, 192.0.2.0/24]", accept.trusted().toString());
        assertTrue(accept.trusts(new byte[] {10, 1, 2, 3}));
        assertTrue(accept.trusts(new byte[] {(byte) 192, 0, 2, 99}));
        assertFalse(accept.trusts(new byte[] {11, 0, 0, 1}));
        assertEquals(ProxyProtocolSend.V2, config.pools().get(0).proxyProtocol());
        Config limits = ConfigLoader.parse(LISTENER.replace("pool = \"web\"", "pool = \"web\"\nallow = [\"10.0.0.0/8\"]\n"
                + "deny = [\"10.1.0.0/16\"]\nsource_max_connections = 50\nsource_rate = 100\nsource_prefix_ipv6 = 56\n"
                + "max_tracked_sources = 1000\nrate_limit = 2000") + POOL, Optional.empty());
        assertEquals(new AdmissionConfig(List.of(lb.admission.Cidr.parse("10.0.0.0/8")),
                List.of(lb.admission.Cidr.parse("10.1.0.0/16")), 50, 100, 100, 32, 56, 1000, 2000, 200),
                limits.listeners().get(0).admission(), "bursts default to a second's worth / a tenth of a second's");
        Config plain = ConfigLoader.parse(VALID, Optional.empty());
        assertNull(plain.listeners().get(0).proxyProtocol());
        assertEquals(ProxyProtocolSend.NONE, plain.pools().get(0).proxyProtocol());
    }

    @Test
    void exampleConfigLoads() throws Exception {
        Config config = ConfigLoader.load(conf("lb.toml"));
        assertEquals(List.of("web", "api"), config.listeners().stream().map(ListenerConfig::name).toList());
        assertEquals(List.of("web", "api"), config.pools().stream().map(PoolConfig::name).toList());
    }

    private static final Pattern COMMENTED_KEY = Pattern.compile("# ([a-z0-9_]+) = .*");

    @Test
    void exampleConfigDocumentsEveryKeyWithACommentAbove() throws IOException {
        Map<String, List<String>> keysBySection = Map.of(
                "[daemon]", ConfigLoader.DAEMON_KEYS,
                "[[listener]]", ConfigLoader.LISTENER_KEYS.stream().filter(k -> !k.equals("route")).toList(),
                "[[pool]]", ConfigLoader.POOL_KEYS.stream()
                        .filter(k -> !List.of("backend", "discovery", "health", "outlier").contains(k)).toList(),
                "[pool.discovery]", ConfigLoader.DISCOVERY_KEYS,
                "[pool.health]", ConfigLoader.HEALTH_KEYS,
                "[pool.outlier]", ConfigLoader.OUTLIER_KEYS,
                "[[pool.backend]]", ConfigLoader.BACKEND_KEYS,
                "[metrics]", ConfigLoader.METRICS_KEYS);
        Map<String, Set<String>> documented = new HashMap<>();
        String section = "";
        boolean inCommentedBlock = false;
        for (String line : Files.readAllLines(conf("lb.toml"))) {
            String trimmed = line.trim();
            Matcher example = COMMENTED_KEY.matcher(trimmed);
            if (example.matches()) {
                // A key shown commented out (one that does not fit the example's other choices).
                documented.computeIfAbsent(section, s -> new HashSet<>()).add(example.group(1));
            }
            if (trimmed.startsWith("#")) {
                inCommentedBlock = true;
            } else if (trimmed.isEmpty()) {
                inCommentedBlock = false;
            } else if (trimmed.startsWith("[")) {
                section = trimmed;
            } else if (inCommentedBlock) {
                documented.computeIfAbsent(section, s -> new HashSet<>()).add(trimmed.split("\\s*=")[0]);
            }
        }
        List<String> undocumented = new ArrayList<>();
        keysBySection.forEach((header, keys) -> keys.stream()
                .filter(key -> !documented.getOrDefault(header, Set.of()).contains(key))
                .forEach(key -> undocumented.add(header + " " + key)));
        assertTrue(undocumented.isEmpty(), "keys without a comment above them in conf/lb.toml: " + undocumented);
    }

    @Test
    void demoConfigLoads() throws Exception {
        Config config = ConfigLoader.load(conf("demo.toml"));
        assertEquals(List.of(new ListenerConfig("demo", address("127.0.0.1", 8080), "demo", Timeouts.DEFAULTS, 0, 1024,
                AcceptMode.REUSEPORT, SocketOptions.DEFAULTS)), config.listeners());
        assertEquals(List.of(new PoolConfig("demo", "round_robin", 2, null, null, null, List.of(
                new BackendConfig("demo-1", address("127.0.0.1", 9101), 1),
                new BackendConfig("demo-2", address("127.0.0.1", 9102), 1),
                new BackendConfig("demo-3", address("127.0.0.1", 9103), 1)))), config.pools());
    }

    @Test
    void keyPathsCompareNaturally() {
        List<String> paths = new ArrayList<>(List.of("pool[0].name", "listener[10].bind", "line 10", "daemon.workers",
                "listener[2].bind", "line 9", "listener", "listener[2].accept"));
        paths.sort(ConfigLoader::compareKeyPaths);
        assertEquals(List.of("daemon.workers", "line 9", "line 10", "listener", "listener[2].accept", "listener[2].bind",
                "listener[10].bind", "pool[0].name"), paths);
    }

    /** The error lines {@code toml} gives, or a failure if it is accepted. */
    static List<String> errors(String toml) {
        try {
            Config config = ConfigLoader.parse(toml, Optional.empty());
            return fail("accepted: " + config);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
    }

    /** A file under the repository's {@code conf/}, found from the module or the repository root. */
    static Path conf(String name) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("conf").resolve(name))) {
                return d.resolve("conf").resolve(name);
            }
        }
        throw new IllegalStateException("conf/" + name + " not found above " + Path.of("").toAbsolutePath());
    }

    static InetSocketAddress address(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(literal + " is a literal", e);
        }
    }

    static int expectedAutoWorkers() {
        return Math.min(Runtime.getRuntime().availableProcessors(), 256);
    }

    private Path write(String name, String toml) throws IOException {
        return Files.writeString(dir.resolve(name), toml);
    }
}
