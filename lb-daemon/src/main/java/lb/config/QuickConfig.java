package lb.config;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Any thread (stateless). A {@link Config} without a file, for {@code --listen/--backends} and
 * {@code --demo}. It builds the tree a TOML file would parse to and hands it to
 * {@link ConfigLoader}, so flags obey the file's rules with the file's messages; only the key path
 * of an error changes to the flag that caused it ({@code listener[0].bind} → {@code --listen}).
 */
public final class QuickConfig {

    /** Listener and pool name for {@code --listen/--backends}. */
    public static final String FLAGS_NAME = "default";
    /** Listener and pool name for {@code --demo}; backends are {@code demo-1..demo-N}. */
    public static final String DEMO_NAME = "demo";

    /** Key paths that one flag fills, in the tree built here. */
    private static final List<Map.Entry<Pattern, String>> FLAG_OF_KEY = List.of(
            Map.entry(Pattern.compile("daemon\\.workers"), "--workers"),
            Map.entry(Pattern.compile("listener\\[0]\\.bind"), "--listen"),
            Map.entry(Pattern.compile("pool\\[0]\\.algorithm"), "--algorithm"),
            Map.entry(Pattern.compile("pool\\[0]\\.backend(\\[\\d+]\\.address)?"), "--backends"));

    private QuickConfig() {
    }

    /**
     * One listener {@value #FLAGS_NAME} on {@code listen} over one pool {@value #FLAGS_NAME} of the
     * comma-separated {@code backendsCsv}, named {@code b1, b2, ...}, weight 1; defaults elsewhere.
     *
     * @param algorithm null for the default
     * @param workers   0 = one per core
     */
    public static Config fromFlags(String listen, String backendsCsv, String algorithm, int workers, boolean accessLog)
            throws ConfigException {
        List<Object> backends = new ArrayList<>();
        // -1 keeps empty items ("a,,b", a trailing comma) so they are reported, not skipped.
        String[] addresses = (backendsCsv == null ? "" : backendsCsv).split(",", -1);
        for (int i = 0; i < addresses.length; i++) {
            backends.add(backend("b" + (i + 1), addresses[i].trim()));
        }
        return build(FLAGS_NAME, listen, algorithm, backends, workers, accessLog);
    }

    /**
     * What {@code --demo} runs: listener {@value #DEMO_NAME} over pool {@value #DEMO_NAME} of
     * {@code backends}, named {@code demo-1..demo-N}; the same as {@code conf/demo.toml}.
     *
     * @param workers 0 = one per core
     */
    public static Config demo(InetSocketAddress listen, List<InetSocketAddress> backends, int workers)
            throws ConfigException {
        return demo(hostPort(listen), backends, workers);
    }

    /** As {@link #demo(InetSocketAddress, List, int)}, with {@code listen} as given to {@code --listen}. */
    public static Config demo(String listen, List<InetSocketAddress> backends, int workers) throws ConfigException {
        List<Object> tables = new ArrayList<>();
        for (int i = 0; i < backends.size(); i++) {
            tables.add(backend(DEMO_NAME + "-" + (i + 1), hostPort(backends.get(i))));
        }
        return build(DEMO_NAME, listen, PoolConfig.DEFAULT_ALGORITHM, tables, workers, true);
    }

    private static Config build(String name, String listen, String algorithm, List<Object> backends, int workers,
                                boolean accessLog) throws ConfigException {
        Map<String, Object> daemon = new HashMap<>();
        daemon.put("workers", (long) workers);
        daemon.put("access_log", accessLog);
        daemon.put("admin_socket", ""); // quick modes run without one unless --admin-socket names it
        Map<String, Object> listener = new HashMap<>();
        listener.put("name", name);
        putIfPresent(listener, "bind", listen);
        listener.put("pool", name);
        Map<String, Object> pool = new HashMap<>();
        pool.put("name", name);
        putIfPresent(pool, "algorithm", algorithm);
        pool.put("backend", backends);
        Map<String, Object> root = Map.of("daemon", daemon, "listener", List.of(listener), "pool", List.of(pool));
        try {
            return ConfigLoader.build(root, Optional.empty());
        } catch (ConfigException e) {
            throw new ConfigException(e.errors().stream().map(QuickConfig::underFlag).toList());
        }
    }

    private static Map<String, Object> backend(String name, String address) {
        return Map.of("name", name, "address", address);
    }

    private static void putIfPresent(Map<String, Object> table, String key, String value) {
        if (value != null) {
            table.put(key, value);
        }
    }

    private static ConfigError underFlag(ConfigError error) {
        for (Map.Entry<Pattern, String> entry : FLAG_OF_KEY) {
            if (entry.getKey().matcher(error.keyPath()).matches()) {
                return new ConfigError(entry.getValue(), error.message());
            }
        }
        return error;
    }

    /** The address as a config file would write it; literal, so loading it resolves nothing. */
    static String hostPort(InetSocketAddress address) {
        String host = address.isUnresolved() ? address.getHostString() : address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
