package lb.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Any thread (stateless; each call has its own state). Reads TOML into a validated {@link Config}
 * or throws a {@link ConfigException} with every problem found, each under its key path.
 *
 * <p>toml4j only parses ({@link TomlSyntax}); the schema is checked by walking {@code toMap()}, so a
 * misspelt key is an error instead of a silently applied default. Each table is read by its section
 * class ({@link DaemonSection}, {@link ListenerSection}, {@link PoolSection} and those it calls,
 * {@link MetricsSection}); the checks across tables (unique names and binds, listeners naming a
 * pool that exists) are here. Errors are sorted by key path (indices numerically), which keeps the
 * output stable although toml4j's maps are hash maps. Host names are resolved once, here
 * ({@link Addresses}): a name that stops resolving later does not change a running daemon.
 */
public final class ConfigLoader {

    static final List<String> ROOT_KEYS = List.of("daemon", "listener", "metrics", "pool");
    // Every table's keys, named here as well so the whole schema can be checked at once (ConfigLoaderTest
    // wants each documented in conf/lb.toml).
    static final List<String> METRICS_KEYS = MetricsSection.KEYS;
    static final List<String> DAEMON_KEYS = DaemonSection.KEYS;
    static final List<String> LISTENER_KEYS = ListenerSection.KEYS;
    static final List<String> POOL_KEYS = PoolSection.KEYS;
    static final List<String> HEALTH_KEYS = HealthSection.KEYS;
    static final List<String> OUTLIER_KEYS = OutlierSection.KEYS;
    static final List<String> BACKEND_KEYS = BackendSection.KEYS;
    static final List<String> DISCOVERY_KEYS = DiscoverySection.KEYS;

    private ConfigLoader() {
    }

    /** Reads {@code file} (UTF-8, as TOML requires). */
    /** The largest config file read; real ones are a few KiB. */
    static final long MAX_FILE_BYTES = 1 << 20;

    public static Config load(Path file) throws ConfigException {
        String toml;
        try {
            // Read only a regular file of sane size: /dev/zero would exhaust the heap, a FIFO would
            // block start-up (or --check-config) forever, and neither is a config.
            if (Files.exists(file) && !Files.isDirectory(file) && !Files.isRegularFile(file)) {
                throw new ConfigException(new ConfigError(file.toString(),
                        "not a regular file (a device or FIFO is not a config)"));
            }
            if (Files.isRegularFile(file) && Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException(new ConfigError(file.toString(), "larger than " + (MAX_FILE_BYTES >> 20)
                        + " MiB: not a config"));
            }
            toml = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(new ConfigError(file.toString(), "cannot read: " + reason(e)));
        }
        return parse(toml, Optional.of(file));
    }

    /** @param source where {@code toml} came from, recorded in the result */
    public static Config parse(String toml, Optional<Path> source) throws ConfigException {
        return build(TomlSyntax.read(toml), source);
    }

    /**
     * Validates a tree shaped like toml4j's {@code toMap()} (tables as maps, arrays of tables as
     * lists of maps, integers as Long); {@link QuickConfig} builds one so flags obey the file's rules.
     */
    static Config build(Map<String, Object> root, Optional<Path> source) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        Config config = config(new TomlTable("", root, errors), source, new Addresses());
        if (!errors.isEmpty()) {
            errors.sort((a, b) -> compareKeyPaths(a.keyPath(), b.keyPath()));
            throw new ConfigException(errors);
        }
        return config;
    }

    private static Config config(TomlTable root, Optional<Path> source, Addresses addresses) {
        root.onlyKeys(ROOT_KEYS);
        DaemonConfig daemon = DaemonSection.read(root.table("daemon"));
        List<PoolConfig> pools = new ArrayList<>();
        // Raw names, valid or not, so a listener naming a pool with a bad name is not a second error.
        Set<String> poolNames = new LinkedHashSet<>();
        Map<String, String> firstPoolByName = new HashMap<>();
        for (TomlTable table : root.tables("pool", "[[pool]]")) {
            PoolConfig pool = PoolSection.read(table, addresses);
            if (table.raw("name") instanceof String name) {
                poolNames.add(name);
            }
            table.unique("name", pool.name(), firstPoolByName);
            pools.add(pool);
        }
        List<ListenerConfig> listeners = new ArrayList<>();
        Map<String, String> firstListenerByName = new HashMap<>();
        Map<InetSocketAddress, String> firstListenerByBind = new HashMap<>();
        for (TomlTable table : root.tables("listener", "[[listener]]")) {
            ListenerConfig listener = ListenerSection.read(table, addresses);
            String pool = listener.pool();
            if (pool != null && !poolNames.contains(pool)) {
                table.error("pool", "no pool named " + ConfigError.quote(pool) + " (pools: "
                        + (poolNames.isEmpty() ? "none" : String.join(", ", poolNames)) + ")");
            }
            if (listener.sni() != null) {
                for (int i = 0; i < listener.sni().routes().size(); i++) {
                    String routePool = listener.sni().routes().get(i).pool();
                    if (routePool != null && !poolNames.contains(routePool)) {
                        table.error("route[" + i + "].pool", "no pool named " + ConfigError.quote(routePool)
                                + " (pools: " + (poolNames.isEmpty() ? "none" : String.join(", ", poolNames)) + ")");
                    }
                }
                if (listener.sni().clientHelloMax() > daemon.bufferSize()) {
                    table.error("client_hello_max", Sizes.format(listener.sni().clientHelloMax()) + " is more than "
                            + "[daemon] buffer_size (" + Sizes.format(daemon.bufferSize()) + "), which holds what is read "
                            + "while looking for the ClientHello: raise buffer_size or lower client_hello_max");
                }
            }
            table.unique("name", listener.name(), firstListenerByName);
            // Port 0 asks the kernel for a fresh port each time, so two of them never collide.
            if (listener.bind() != null && listener.bind().getPort() != 0) {
                String first = firstListenerByBind.putIfAbsent(listener.bind(), table.path());
                if (first != null) {
                    table.error("bind", "duplicate bind " + ConfigError.show(table.raw("bind")) + " (also " + first
                            + ")");
                }
            }
            listeners.add(listener);
        }
        MetricsConfig metrics = root.has("metrics") ? MetricsSection.read(root.table("metrics"), addresses)
                : MetricsConfig.OFF;
        return new Config(source, daemon, listeners, pools, metrics);
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        String reason = e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason() : e.getMessage();
        return reason == null ? e.toString() : TomlSyntax.decapitalize(reason);
    }

    /** Natural order: {@code listener[2]} before {@code listener[10]}, {@code line 9} before {@code line 10}. */
    static int compareKeyPaths(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            if (Character.isDigit(a.charAt(i)) && Character.isDigit(b.charAt(j))) {
                int endA = digitsEnd(a, i);
                int endB = digitsEnd(b, j);
                int byValue = endA - i != endB - j ? Integer.compare(endA - i, endB - j)
                        : a.substring(i, endA).compareTo(b.substring(j, endB));
                if (byValue != 0) {
                    return byValue;
                }
                i = endA;
                j = endB;
            } else if (a.charAt(i) != b.charAt(j)) {
                return Character.compare(a.charAt(i), b.charAt(j));
            } else {
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static int digitsEnd(String s, int from) {
        int end = from;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return end;
    }
}
