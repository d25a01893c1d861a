package lb.config;

import static lb.config.ConfigLoaderTest.address;
import static lb.config.ConfigLoaderTest.expectedAutoWorkers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import lb.config.ListenerConfig.AcceptMode;

class QuickConfigTest {

    /** As an error message lists them: every registered algorithm, sorted. */
    private static final String ALGORITHMS = "bounded_load, least_conn, maglev, power_of_two, random, ring_hash, "
            + "round_robin, source_hash, weighted_round_robin";

    @Test
    void flagsGiveOneListenerAndOnePoolNamedDefault() throws Exception {
        Config config = QuickConfig.fromFlags("127.0.0.1:8080", "127.0.0.1:9001, [::1]:9002", "round_robin", 3, false);

        Config expected = new Config(Optional.empty(),
                new DaemonConfig(3, Duration.ofSeconds(30), false, DaemonConfig.DEFAULT_BUFFER_SIZE,
                        DaemonConfig.AUTO_BUFFER_POOL_MAX),
                List.of(new ListenerConfig("default", address("127.0.0.1", 8080), "default", Timeouts.DEFAULTS, 0, 1024,
                        AcceptMode.REUSEPORT, SocketOptions.DEFAULTS)),
                List.of(new PoolConfig("default", "round_robin", 2, null, null, null, List.of(
                        new BackendConfig("b1", address("127.0.0.1", 9001), 1),
                        new BackendConfig("b2", address("::1", 9002), 1)))));
        assertEquals(expected, config);
    }

    @Test
    void zeroWorkersMeansOnePerCoreAndNullAlgorithmMeansRoundRobin() throws Exception {
        Config config = QuickConfig.fromFlags("127.0.0.1:0", "127.0.0.1:9001", null, 0, true);
        assertEquals(expectedAutoWorkers(), config.daemon().workers());
        assertEquals("round_robin", config.pools().get(0).algorithm());
        assertEquals(true, config.daemon().accessLog());
    }

    @Test
    void badFlagsAreAllReportedUnderTheFlagsNamesWithTheFilesMessages() {
        ConfigException e = assertThrows(ConfigException.class, () ->
                QuickConfig.fromFlags("127.0.0.1:99999", "127.0.0.1:9001,nowhere.invalid:1,,127.0.0.1:9001", "fastest",
                        300, true));
        assertEquals(List.of(
                "--workers: 300 is out of range (allowed: 0..256 or \"auto\"; 0 and \"auto\" = one per core)",
                "--listen: \"127.0.0.1:99999\" is not host:port with a port 0..65535",
                "--algorithm: unknown algorithm \"fastest\" (known: " + ALGORITHMS + ")",
                "--backends: cannot resolve host \"nowhere.invalid\"",
                "--backends: \"\" is not host:port with a port 1..65535",
                "--backends: duplicate address \"127.0.0.1:9001\" (also pool[0].backend[0])"),
                e.errors().stream().map(ConfigError::toString).toList());
    }

    @Test
    void trailingCommaIsAnEmptyBackend() {
        ConfigException e = assertThrows(ConfigException.class, () ->
                QuickConfig.fromFlags("127.0.0.1:0", "127.0.0.1:9001,", null, 0, true));
        assertEquals(List.of(new ConfigError("--backends", "\"\" is not host:port with a port 1..65535")), e.errors());
    }

    @Test
    void demoNamesBackendsDemoOneToN() throws Exception {
        List<InetSocketAddress> backends = List.of(address("127.0.0.1", 40001), address("::1", 40002),
                address("127.0.0.1", 40003));

        Config config = QuickConfig.demo(address("127.0.0.1", 0), backends, 2);

        assertEquals(2, config.daemon().workers());
        assertEquals(List.of(new ListenerConfig("demo", address("127.0.0.1", 0), "demo", Timeouts.DEFAULTS, 0, 1024,
                AcceptMode.REUSEPORT, SocketOptions.DEFAULTS)), config.listeners());
        assertEquals(List.of(new PoolConfig("demo", "round_robin", 2, null, null, null, List.of(
                new BackendConfig("demo-1", backends.get(0), 1),
                new BackendConfig("demo-2", backends.get(1), 1),
                new BackendConfig("demo-3", backends.get(2), 1)))), config.pools());
    }

    @Test
    void demoIsWhatConfDemoTomlSays() throws Exception {
        Config file = ConfigLoader.load(ConfigLoaderTest.conf("demo.toml"));

        Config demo = QuickConfig.demo(address("127.0.0.1", 8080), List.of(address("127.0.0.1", 9101),
                address("127.0.0.1", 9102), address("127.0.0.1", 9103)), 0);

        assertEquals(file.daemon(), demo.daemon());
        assertEquals(file.listeners(), demo.listeners());
        assertEquals(file.pools(), demo.pools());
    }

    @Test
    void demoListenTextIsValidatedLikeTheFlag() {
        ConfigException e = assertThrows(ConfigException.class, () ->
                QuickConfig.demo("localhost", List.of(address("127.0.0.1", 9101)), 0));
        assertEquals(List.of(new ConfigError("--listen", "\"localhost\" is not host:port with a port 0..65535")), e.errors());
    }
}
