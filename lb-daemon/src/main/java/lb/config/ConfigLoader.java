package lb.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.moandjiezana.toml.Toml;

import lb.config.ListenerConfig.AcceptMode;

/**
 * Any thread (stateless; each call has its own state). Reads TOML into a validated {@link Config}
 * or throws a {@link ConfigException} with every problem found, each under its key path.
 *
 * <p>toml4j only parses; the schema is checked here by walking {@code toMap()}, so a misspelt key is
 * an error instead of a silently applied default. Errors are sorted by key path (indices
 * numerically), which keeps the output stable although toml4j's maps are hash maps. Host names are
 * resolved once, here: a name that stops resolving later does not change a running daemon.
 */
public final class ConfigLoader {

    static final List<String> ROOT_KEYS = List.of("daemon", "listener", "metrics", "pool");
    static final List<String> METRICS_KEYS = List.of("listen", "path");
    static final List<String> DAEMON_KEYS = List.of("access_log", "admin_socket", "admin_socket_group",
            "buffer_pool_max", "buffer_size", "shutdown_grace", "state_file", "stats", "workers");
    static final List<String> LISTENER_KEYS = List.of("accept", "backlog", "bind", "connect_timeout", "half_close_timeout",
            "idle_timeout", "keepalive", "max_connections", "name", "pool", "receive_buffer", "send_buffer", "tcp_nodelay");
    static final List<String> POOL_KEYS = List.of("algorithm", "backend", "bounded_load_factor", "connect_timeout",
            "half_close_timeout", "hash_fallback", "hash_key", "health", "idle_timeout", "maglev_table_size", "name",
            "outlier", "panic_threshold", "retries", "ring_size", "slow_start");
    static final List<String> HEALTH_KEYS = List.of("expect", "expect_status", "fall", "host", "initial_state",
            "interval", "path", "port", "rise", "send", "timeout", "type");
    static final List<String> OUTLIER_KEYS = List.of("consecutive_failures", "ejection_time", "max_ejection_percent",
            "max_ejection_time");
    static final List<String> BACKEND_KEYS = List.of("address", "max_connections", "name", "weight");
    static final int MAX_RISE_FALL = 100;
    static final int MAX_BACKEND_CONNECTIONS = 10_000_000;
    static final int MAX_PROBE_BYTES = 4096;
    private static final Pattern STATUS_RANGE = Pattern.compile("(\\d{3})(?:-(\\d{3}))?");

    static final int MAX_WORKERS = 256;
    static final long MIN_BUFFER_SIZE = 4 * Sizes.KIB;
    static final long MAX_BUFFER_SIZE = 16 * Sizes.MIB;
    static final long MAX_SOCKET_BUFFER = Sizes.GIB;
    static final int MAX_CONNECTIONS = 10_000_000;
    static final int MAX_BACKLOG = 65535;
    static final int MAX_RETRIES = 16;
    /** Longer timeouts are mistakes, and the bound keeps {@code nowNs + timeoutNs} far from overflow. */
    static final Duration MAX_TIMEOUT = Duration.ofHours(24);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final String NAME_RULE = "1..64 characters from A-Z a-z 0-9 _ . -";
    /** Backend names default to the address as written, so they may hold ':' and brackets. */
    private static final Pattern BACKEND_NAME = Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final String BACKEND_NAME_RULE = "1..255 printable ASCII characters, no spaces";
    private static final Duration ONE_MS = Duration.ofMillis(1);

    private ConfigLoader() {
    }

    /** Reads {@code file} (UTF-8, as TOML requires). */
    public static Config load(Path file) throws ConfigException {
        String toml;
        try {
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
        Config config = new Walk(errors).config(new Table("", root, errors), source);
        if (!errors.isEmpty()) {
            errors.sort((a, b) -> compareKeyPaths(a.keyPath(), b.keyPath()));
            throw new ConfigException(errors);
        }
        return config;
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

    /** Not thread-safe. One validation pass: builds the records and records every problem on the way. */
    private static final class Walk {

        private final List<ConfigError> errors;
        /** Host → address, empty when it does not resolve: each name is looked up once per load. */
        private final Map<String, Optional<InetAddress>> resolved = new HashMap<>();

        Walk(List<ConfigError> errors) {
            this.errors = errors;
        }

        Config config(Table root, Optional<Path> source) {
            root.onlyKeys(ROOT_KEYS);
            DaemonConfig daemon = daemon(root.table("daemon"));
            List<PoolConfig> pools = new ArrayList<>();
            // Raw names, valid or not, so a listener naming a pool with a bad name is not a second error.
            Set<String> poolNames = new LinkedHashSet<>();
            Map<String, String> firstPoolByName = new HashMap<>();
            for (Table table : root.tables("pool", "[[pool]]")) {
                PoolConfig pool = pool(table);
                if (table.raw("name") instanceof String name) {
                    poolNames.add(name);
                }
                unique(table, "name", pool.name(), firstPoolByName);
                pools.add(pool);
            }
            List<ListenerConfig> listeners = new ArrayList<>();
            Map<String, String> firstListenerByName = new HashMap<>();
            Map<InetSocketAddress, String> firstListenerByBind = new HashMap<>();
            for (Table table : root.tables("listener", "[[listener]]")) {
                ListenerConfig listener = listener(table, poolNames);
                unique(table, "name", listener.name(), firstListenerByName);
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
            MetricsConfig metrics = root.has("metrics") ? metrics(root.table("metrics")) : MetricsConfig.OFF;
            return new Config(source, daemon, listeners, pools, metrics);
        }

        private MetricsConfig metrics(Table t) {
            t.onlyKeys(METRICS_KEYS);
            InetSocketAddress listen = t.has("listen") ? address(t, "listen", "host:port for the metrics endpoint", 0)
                    : null;
            String path = t.string("path", MetricsConfig.DEFAULT_PATH);
            if (path != null && !path.matches("/[A-Za-z0-9._~/-]*")) {
                t.error("path", ConfigError.quote(path) + " is not a URL path (starts with /, letters, digits, . _ ~ - /)");
            }
            return new MetricsConfig(listen, path);
        }

        private DaemonConfig daemon(Table t) {
            t.onlyKeys(DAEMON_KEYS);
            int workers = workers(t);
            Duration grace = t.duration("shutdown_grace", DaemonConfig.DEFAULT_SHUTDOWN_GRACE, Duration.ZERO, "0s..24h");
            boolean accessLog = t.bool("access_log", true);
            long bufferSize = t.size("buffer_size", DaemonConfig.DEFAULT_BUFFER_SIZE, MIN_BUFFER_SIZE, MAX_BUFFER_SIZE,
                    "4KiB..16MiB");
            long poolMax = t.size("buffer_pool_max", DaemonConfig.DEFAULT_BUFFER_POOL_MAX, bufferSize, Long.MAX_VALUE,
                    "buffer_size (" + Sizes.format(bufferSize) + ") or more");
            String socket = t.string("admin_socket", DaemonConfig.DEFAULT_ADMIN_SOCKET.toString());
            Path adminSocket = null;
            if (socket != null && !socket.isEmpty()) {
                if (!socket.startsWith("/") || socket.indexOf('\0') >= 0 || socket.length() > 100) {
                    t.error("admin_socket", ConfigError.quote(socket) + " is not an absolute path of at most 100 "
                            + "characters (Unix socket paths are short); \"\" = no admin socket");
                } else {
                    adminSocket = Path.of(socket);
                }
            }
            String group = t.string("admin_socket_group", null);
            if (group != null && !group.matches("[A-Za-z_][A-Za-z0-9_.-]{0,31}")) {
                t.error("admin_socket_group", ConfigError.quote(group) + " is not a group name");
                group = null;
            }
            String state = t.string("state_file", "");
            Path stateFile = null;
            if (!state.isEmpty()) {
                if (!state.startsWith("/") || state.indexOf('\0') >= 0 || state.endsWith("/")) {
                    t.error("state_file", ConfigError.quote(state) + " is not an absolute file path; \"\" = none");
                } else {
                    stateFile = Path.of(state);
                }
            }
            boolean stats = t.bool("stats", true);
            return new DaemonConfig(workers, grace, accessLog, (int) bufferSize, poolMax, adminSocket, group, stateFile,
                    stats);
        }

        private int workers(Table t) {
            Object value = t.raw("workers");
            if (value == null || "auto".equals(value)) {
                return autoWorkers();
            }
            String allowed = "0.." + MAX_WORKERS + " or \"auto\"; 0 and \"auto\" = one per core";
            if (!(value instanceof Long || value instanceof Integer)) {
                t.error("workers", ConfigError.show(value) + " is not an integer (allowed: " + allowed + ")");
                return autoWorkers();
            }
            long workers = ((Number) value).longValue();
            if (workers < 0 || workers > MAX_WORKERS) {
                t.error("workers", workers + " is out of range (allowed: " + allowed + ")");
                return autoWorkers();
            }
            return workers == 0 ? autoWorkers() : (int) workers;
        }

        /** One loop per core, capped like an explicit value so a huge host does not start hundreds of selectors. */
        private static int autoWorkers() {
            return Math.min(Runtime.getRuntime().availableProcessors(), MAX_WORKERS);
        }

        private ListenerConfig listener(Table t, Set<String> poolNames) {
            t.onlyKeys(LISTENER_KEYS);
            String name = t.name("name", NAME, NAME_RULE);
            InetSocketAddress bind = address(t, "bind", "host:port to listen on", 0);
            String pool = t.requiredString("pool", "the name of a [[pool]]");
            if (pool != null && !poolNames.contains(pool)) {
                t.error("pool", "no pool named " + ConfigError.quote(pool) + " (pools: "
                        + (poolNames.isEmpty() ? "none" : String.join(", ", poolNames)) + ")");
            }
            Timeouts defaults = Timeouts.DEFAULTS;
            Timeouts timeouts = new Timeouts(
                    t.duration("connect_timeout", defaults.connect(), ONE_MS, "1ms..24h"),
                    t.duration("idle_timeout", defaults.idle(), Duration.ZERO, "0s..24h; 0s = none"),
                    t.duration("half_close_timeout", defaults.halfClose(), Duration.ZERO, "0s..24h; 0s = none"));
            int maxConnections = (int) t.integer("max_connections", ListenerConfig.DEFAULT_MAX_CONNECTIONS, 0,
                    MAX_CONNECTIONS, "0.." + MAX_CONNECTIONS + "; 0 = unlimited");
            int backlog = (int) t.integer("backlog", ListenerConfig.DEFAULT_BACKLOG, 1, MAX_BACKLOG, "1.." + MAX_BACKLOG);
            AcceptMode acceptMode = acceptMode(t);
            SocketOptions socketDefaults = SocketOptions.DEFAULTS;
            String bufferRange = "0..1GiB; 0 = kernel default";
            SocketOptions socket = new SocketOptions(
                    t.bool("tcp_nodelay", socketDefaults.tcpNoDelay()),
                    t.bool("keepalive", socketDefaults.keepAlive()),
                    (int) t.size("send_buffer", socketDefaults.sendBuffer(), 0, MAX_SOCKET_BUFFER, bufferRange),
                    (int) t.size("receive_buffer", socketDefaults.receiveBuffer(), 0, MAX_SOCKET_BUFFER, bufferRange));
            return new ListenerConfig(name, bind, pool, timeouts, maxConnections, backlog, acceptMode, socket);
        }

        private static AcceptMode acceptMode(Table t) {
            return t.choice("accept", "accept mode", AcceptMode.REUSEPORT, AcceptMode.values(), AcceptMode::configName);
        }

        private static BalancerOptions balancerOptions(Table t, int backendCount) {
            BalancerOptions d = BalancerOptions.DEFAULTS;
            HashKey hashKey = t.choice("hash_key", "hash key", d.hashKey(), HashKey.values(), HashKey::configName);
            HashFallback fallback = t.choice("hash_fallback", "hash fallback", d.hashFallback(), HashFallback.values(),
                    HashFallback::configName);
            int ringSize = (int) t.integer("ring_size", d.ringSize(), BalancerOptions.MIN_RING_SIZE,
                    BalancerOptions.MAX_RING_SIZE, BalancerOptions.MIN_RING_SIZE + ".." + BalancerOptions.MAX_RING_SIZE);
            String tableRange = "a prime " + BalancerOptions.MIN_MAGLEV_TABLE_SIZE + ".."
                    + BalancerOptions.MAX_MAGLEV_TABLE_SIZE + " above the number of backends";
            int tableSize = (int) t.integer("maglev_table_size", d.maglevTableSize(),
                    BalancerOptions.MIN_MAGLEV_TABLE_SIZE, BalancerOptions.MAX_MAGLEV_TABLE_SIZE, tableRange);
            if (!BalancerOptions.isPrime(tableSize)) {
                t.error("maglev_table_size", tableSize + " is not a prime (nearest primes: " + previousPrime(tableSize)
                        + ", " + nextPrime(tableSize) + ")");
                tableSize = d.maglevTableSize();
            } else if (tableSize <= backendCount) {
                t.error("maglev_table_size", tableSize + " is not above the number of backends (" + backendCount
                        + "); Maglev wants at least 100 times as many slots as backends");
            }
            double factor = t.decimal("bounded_load_factor", d.boundedLoadFactor(), BalancerOptions.MIN_BOUNDED_LOAD_FACTOR,
                    BalancerOptions.MAX_BOUNDED_LOAD_FACTOR, "1.0..100.0");
            return new BalancerOptions(hashKey, fallback, ringSize, tableSize, factor);
        }

        private static HealthConfig health(Table pool) {
            int panic = (int) pool.integer("panic_threshold", HealthConfig.DEFAULT_PANIC_THRESHOLD_PERCENT, 0, 100,
                    "0..100 (percent); 0 = never");
            Duration slowStart = pool.duration("slow_start", Duration.ZERO, Duration.ZERO, "0s..24h; 0s = off");
            ActiveCheck active = pool.has("health") ? activeCheck(pool.table("health")) : null;
            PassiveCheck passive = pool.has("outlier") ? passiveCheck(pool.table("outlier")) : null;
            return new HealthConfig(active, passive, panic, slowStart);
        }

        private static ActiveCheck activeCheck(Table t) {
            t.onlyKeys(HEALTH_KEYS);
            if (!t.has("type")) {
                t.error("type", "missing (required: tcp, http or send_expect)");
            }
            ActiveCheck.Type type = t.choice("type", "check type", ActiveCheck.Type.TCP, ActiveCheck.Type.values(),
                    ActiveCheck.Type::configName);
            Duration interval = t.duration("interval", ActiveCheck.DEFAULT_INTERVAL, Duration.ofMillis(10), "10ms..24h");
            Duration timeout = t.duration("timeout", ActiveCheck.DEFAULT_TIMEOUT, ONE_MS, "1ms..24h, at most interval");
            if (timeout.compareTo(interval) > 0) {
                t.error("timeout", Durations.format(timeout) + " is longer than interval " + Durations.format(interval)
                        + " (a probe must end before the next one starts)");
            }
            int rise = (int) t.integer("rise", ActiveCheck.DEFAULT_RISE, 1, MAX_RISE_FALL, "1.." + MAX_RISE_FALL);
            int fall = (int) t.integer("fall", ActiveCheck.DEFAULT_FALL, 1, MAX_RISE_FALL, "1.." + MAX_RISE_FALL);
            int port = (int) t.integer("port", 0, 0, 65535, "0..65535; 0 = the backend's port");
            onlyFor(t, type, ActiveCheck.Type.HTTP, "path", "host", "expect_status");
            onlyFor(t, type, ActiveCheck.Type.SEND_EXPECT, "send", "expect");
            String path = t.string("path", ActiveCheck.DEFAULT_PATH);
            if (path != null && (!path.startsWith("/") || !printableAscii(path))) {
                t.error("path", ConfigError.quote(path) + " is not a path (starts with /, printable ASCII, no spaces)");
            }
            String host = t.string("host", null);
            if (host != null && (host.isEmpty() || !printableAscii(host))) {
                t.error("host", ConfigError.quote(host) + " is not a host name (printable ASCII, no spaces)");
            }
            int[] status = statusRange(t);
            byte[] send = probeBytes(t, "send");
            byte[] expect = probeBytes(t, "expect");
            if (type == ActiveCheck.Type.SEND_EXPECT && (expect == null || expect.length == 0) && t.has("type")) {
                t.error("expect", "missing (required for send_expect: the reply's expected first bytes)");
            }
            String initial = t.string("initial_state", "down");
            if (initial != null && !initial.equals("down") && !initial.equals("up")) {
                t.error("initial_state", "unknown initial state " + ConfigError.quote(initial) + " (known: down, up)");
            }
            return new ActiveCheck(type, interval, timeout, rise, fall, port, path, host, status[0], status[1], send,
                    expect, "up".equals(initial));
        }

        private static void onlyFor(Table t, ActiveCheck.Type type, ActiveCheck.Type owner, String... keys) {
            if (type == owner) {
                return;
            }
            for (String key : keys) {
                if (t.has(key)) {
                    t.error(key, "only for type = \"" + owner.configName() + "\" (this check is \"" + type.configName()
                            + "\")");
                }
            }
        }

        private static boolean printableAscii(String text) {
            return text.chars().allMatch(c -> c > 0x20 && c < 0x7f);
        }

        /** {@code expect_status}: {@code "200-399"} or one status; 100..599. */
        private static int[] statusRange(Table t) {
            int[] fallback = {ActiveCheck.DEFAULT_STATUS_MIN, ActiveCheck.DEFAULT_STATUS_MAX};
            Object value = t.raw("expect_status");
            if (value == null) {
                return fallback;
            }
            String text = String.valueOf(value);
            Matcher m = STATUS_RANGE.matcher(text);
            if (!(value instanceof String || value instanceof Long) || !m.matches()) {
                t.error("expect_status", ConfigError.show(value) + " is not a status or range (e.g. \"200-399\" or 204)");
                return fallback;
            }
            int low = Integer.parseInt(m.group(1));
            int high = m.group(2) == null ? low : Integer.parseInt(m.group(2));
            if (low < 100 || high > 599 || low > high) {
                t.error("expect_status", ConfigError.show(value) + " is out of range (allowed: 100..599, low-high)");
                return fallback;
            }
            return new int[] {low, high};
        }

        /**
         * Bytes for a probe: the string's UTF-8, with escapes {@code \r \n \t \0 \\ \xHH} (TOML basic
         * strings turn most of them into characters already; a 'literal string' keeps them for us).
         */
        private static byte[] probeBytes(Table t, String key) {
            String text = t.string(key, null);
            if (text == null) {
                return null;
            }
            try {
                byte[] bytes = ProbeBytes.unescape(text);
                if (bytes.length > MAX_PROBE_BYTES) {
                    t.error(key, bytes.length + " bytes is too long (at most " + MAX_PROBE_BYTES + ")");
                    return null;
                }
                return bytes;
            } catch (IllegalArgumentException e) {
                t.error(key, e.getMessage());
                return null;
            }
        }

        private static PassiveCheck passiveCheck(Table t) {
            t.onlyKeys(OUTLIER_KEYS);
            int failures = (int) t.integer("consecutive_failures", PassiveCheck.DEFAULT_CONSECUTIVE_FAILURES, 1, 1000,
                    "1..1000");
            Duration ejection = t.duration("ejection_time", PassiveCheck.DEFAULT_EJECTION_TIME, Duration.ofMillis(10),
                    "10ms..24h");
            Duration maxEjection = t.duration("max_ejection_time", PassiveCheck.DEFAULT_MAX_EJECTION_TIME,
                    Duration.ofMillis(10), "10ms..24h, at least ejection_time");
            if (maxEjection.compareTo(ejection) < 0) {
                t.error("max_ejection_time", Durations.format(maxEjection) + " is shorter than ejection_time "
                        + Durations.format(ejection));
            }
            int percent = (int) t.integer("max_ejection_percent", PassiveCheck.DEFAULT_MAX_EJECTION_PERCENT, 0, 100,
                    "0..100 (percent)");
            return new PassiveCheck(failures, ejection, maxEjection, percent);
        }

        private static long previousPrime(long n) {
            long p = n - 1;
            while (p > 2 && !BalancerOptions.isPrime(p)) {
                p--;
            }
            return p;
        }

        private static long nextPrime(long n) {
            long p = n + 1;
            while (!BalancerOptions.isPrime(p)) {
                p++;
            }
            return p;
        }

        private PoolConfig pool(Table t) {
            t.onlyKeys(POOL_KEYS);
            String name = t.name("name", NAME, NAME_RULE);
            String algorithm = t.string("algorithm", PoolConfig.DEFAULT_ALGORITHM);
            if (algorithm != null && !Algorithm.isKnown(algorithm)) {
                t.error("algorithm", "unknown algorithm " + ConfigError.quote(algorithm) + " (known: "
                        + String.join(", ", Algorithm.names()) + ")");
            }
            int retries = (int) t.integer("retries", PoolConfig.DEFAULT_RETRIES, 0, MAX_RETRIES, "0.." + MAX_RETRIES);
            Duration connect = t.duration("connect_timeout", null, ONE_MS, "1ms..24h");
            Duration idle = t.duration("idle_timeout", null, Duration.ZERO, "0s..24h; 0s = none");
            Duration halfClose = t.duration("half_close_timeout", null, Duration.ZERO, "0s..24h; 0s = none");
            List<BackendConfig> backends = new ArrayList<>();
            Map<InetSocketAddress, String> firstByAddress = new HashMap<>();
            Map<String, String> firstByName = new HashMap<>();
            for (Table table : t.tables("backend", "[[pool.backend]]")) {
                BackendConfig backend = backend(table);
                String first = backend.address() == null ? null
                        : firstByAddress.putIfAbsent(backend.address(), table.path());
                if (first != null) {
                    table.error("address", "duplicate address " + ConfigError.show(table.raw("address"))
                            + " (also " + first + ")");
                } else {
                    // Skipped after a duplicate address: a defaulted name would repeat the same complaint.
                    unique(table, "name", backend.name(), firstByName);
                }
                backends.add(backend);
            }
            BalancerOptions options = balancerOptions(t, backends.size());
            return new PoolConfig(name, algorithm, retries, connect, idle, halfClose, backends, options, health(t));
        }

        private BackendConfig backend(Table t) {
            t.onlyKeys(BACKEND_KEYS);
            InetSocketAddress address = address(t, "address", "host:port of the backend", 1);
            String name = t.has("name") ? t.name("name", BACKEND_NAME, BACKEND_NAME_RULE)
                    : t.raw("address") instanceof String written ? written : null;
            int weight = (int) t.integer("weight", BackendConfig.DEFAULT_WEIGHT, 1, BackendConfig.MAX_WEIGHT,
                    "1.." + BackendConfig.MAX_WEIGHT);
            int maxConnections = (int) t.integer("max_connections", 0, 0, MAX_BACKEND_CONNECTIONS,
                    "0.." + MAX_BACKEND_CONNECTIONS + "; 0 = unlimited");
            return new BackendConfig(name, address, weight, maxConnections);
        }

        /** Records an error when {@code value} was already used under {@code key} in a sibling table. */
        private static void unique(Table t, String key, String value, Map<String, String> firstPathByValue) {
            if (value == null) {
                return;
            }
            String first = firstPathByValue.putIfAbsent(value, t.path());
            if (first != null) {
                t.error(key, "duplicate " + key + " " + ConfigError.quote(value) + " (also " + first + ")");
            }
        }

        /**
         * {@code host:port}, IPv6 in brackets ({@code [::1]:443}); the host is resolved now. Null,
         * with the problem recorded, when the text is malformed or the host does not resolve.
         */
        private InetSocketAddress address(Table t, String key, String what, int minPort) {
            String text = t.requiredString(key, what);
            if (text == null) {
                return null;
            }
            String host;
            int colon = text.lastIndexOf(':');
            if (text.startsWith("[")) {
                host = colon > 0 && text.charAt(colon - 1) == ']' ? text.substring(1, colon - 1) : "";
            } else {
                // A second colon means an IPv6 literal without brackets: its port would be ambiguous.
                host = colon > 0 && text.indexOf(':') == colon ? text.substring(0, colon) : "";
            }
            String port = colon > 0 ? text.substring(colon + 1) : "";
            if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ') || !port.matches("[0-9]{1,5}")
                    || Integer.parseInt(port) < minPort || Integer.parseInt(port) > 65535) {
                t.error(key, ConfigError.quote(text) + " is not host:port with a port " + minPort + "..65535");
                return null;
            }
            Optional<InetAddress> address = resolved.computeIfAbsent(host, Walk::resolve);
            if (address.isEmpty()) {
                t.error(key, "cannot resolve host " + ConfigError.quote(host));
                return null;
            }
            return new InetSocketAddress(address.get(), Integer.parseInt(port));
        }

        private static Optional<InetAddress> resolve(String host) {
            try {
                return Optional.of(InetAddress.getByName(host));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * Not thread-safe. One TOML table and its key path. Getters never throw: a bad value is recorded
     * as an error and the getter returns the default (or null for strings), so the walk goes on and
     * finds the next problem too.
     */
    private static final class Table {

        private final String path;
        private final Map<String, Object> values;
        private final List<ConfigError> errors;

        Table(String path, Map<String, Object> values, List<ConfigError> errors) {
            this.path = path;
            this.values = values;
            this.errors = errors;
        }

        String path() {
            return path;
        }

        void error(String key, String message) {
            errors.add(new ConfigError(path.isEmpty() ? key : path + "." + key, message));
        }

        boolean has(String key) {
            return values.containsKey(key);
        }

        Object raw(String key) {
            return values.get(key);
        }

        /** @param known sorted, as listed in the message */
        void onlyKeys(List<String> known) {
            values.keySet().stream().filter(key -> !known.contains(key)).sorted()
                    .forEach(key -> error(key, "unknown key (known: " + String.join(", ", known) + ")"));
        }

        /** A sub-table; an absent one reads as empty so every key in it takes its default. */
        Table table(String key) {
            Object value = values.get(key);
            if (value != null && !(value instanceof Map)) {
                error(key, ConfigError.show(value) + " is not a table (write [" + key + "])");
            }
            return new Table(path.isEmpty() ? key : path + "." + key, value instanceof Map<?, ?> map ? cast(map) : Map.of(),
                    errors);
        }

        /** An array of tables, at least one. */
        List<Table> tables(String key, String header) {
            Object value = values.get(key);
            String keyPath = path.isEmpty() ? key : path + "." + key;
            List<Table> tables = new ArrayList<>();
            if (value instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) instanceof Map<?, ?> map) {
                        tables.add(new Table(keyPath + "[" + i + "]", cast(map), errors));
                    } else {
                        error(key + "[" + i + "]", ConfigError.show(list.get(i)) + " is not a table (write each as "
                                + header + ")");
                    }
                }
                if (list.isEmpty()) {
                    error(key, "missing (at least one " + header + " is required)");
                }
            } else if (value == null) {
                error(key, "missing (at least one " + header + " is required)");
            } else {
                error(key, ConfigError.show(value) + " is not an array of tables (write each as " + header + ")");
            }
            return tables;
        }

        String string(String key, String fallback) {
            Object value = values.get(key);
            if (value == null) {
                return fallback;
            }
            if (value instanceof String text) {
                return text;
            }
            error(key, ConfigError.show(value) + " is not a string");
            return null;
        }

        String requiredString(String key, String what) {
            if (!has(key)) {
                error(key, "missing (required: " + what + ")");
                return null;
            }
            return string(key, null);
        }

        String name(String key, Pattern rule, String ruleText) {
            String name = requiredString(key, "a unique name");
            if (name != null && !rule.matcher(name).matches()) {
                error(key, ConfigError.quote(name) + " is not a valid name (allowed: " + ruleText + ")");
                return null;
            }
            return name;
        }

        boolean bool(String key, boolean fallback) {
            Object value = values.get(key);
            if (value == null) {
                return fallback;
            }
            if (value instanceof Boolean flag) {
                return flag;
            }
            error(key, ConfigError.show(value) + " is not a boolean (use true or false)");
            return fallback;
        }

        /** One of {@code values}, written as its {@code configName}. */
        <E extends Enum<E>> E choice(String key, String what, E fallback, E[] values, Function<E, String> configName) {
            String text = string(key, configName.apply(fallback));
            for (E value : values) {
                if (configName.apply(value).equals(text)) {
                    return value;
                }
            }
            if (text != null) {
                List<String> known = Arrays.stream(values).map(configName).toList();
                error(key, "unknown " + what + " " + ConfigError.quote(text) + " (known: " + String.join(", ", known)
                        + ")");
            }
            return fallback;
        }

        /** A number, integer or not. */
        double decimal(String key, double fallback, double min, double max, String allowed) {
            Object value = values.get(key);
            if (value == null) {
                return fallback;
            }
            if (!(value instanceof Number number)) {
                error(key, ConfigError.show(value) + " is not a number (allowed: " + allowed + ")");
                return fallback;
            }
            double d = number.doubleValue();
            if (!(d >= min && d <= max)) {
                error(key, ConfigError.show(value) + " is out of range (allowed: " + allowed + ")");
                return fallback;
            }
            return d;
        }

        long integer(String key, long fallback, long min, long max, String allowed) {
            Object value = values.get(key);
            if (value == null) {
                return fallback;
            }
            if (!(value instanceof Long || value instanceof Integer)) {
                error(key, ConfigError.show(value) + " is not an integer (allowed: " + allowed + ")");
                return fallback;
            }
            long number = ((Number) value).longValue();
            if (number < min || number > max) {
                error(key, number + " is out of range (allowed: " + allowed + ")");
                return fallback;
            }
            return number;
        }

        Duration duration(String key, Duration fallback, Duration min, String allowed) {
            Object value = values.get(key);
            if (value == null) {
                return fallback;
            }
            if (!(value instanceof String text)) {
                error(key, Durations.notADuration(ConfigError.show(value)));
                return fallback;
            }
            try {
                Duration duration = Durations.parse(text);
                if (duration.compareTo(min) >= 0 && duration.compareTo(MAX_TIMEOUT) <= 0) {
                    return duration;
                }
                error(key, ConfigError.quote(text) + " is out of range (allowed: " + allowed + ")");
            } catch (IllegalArgumentException e) {
                error(key, e.getMessage());
            }
            return fallback;
        }

        long size(String key, long fallback, long min, long max, String allowed) {
            Object value = values.get(key);
            if (value == null) {
                return fallback;
            }
            long bytes;
            if (value instanceof Long || value instanceof Integer) {
                bytes = ((Number) value).longValue();
            } else if (value instanceof String text) {
                try {
                    bytes = Sizes.parse(text);
                } catch (IllegalArgumentException e) {
                    error(key, e.getMessage());
                    return fallback;
                }
            } else {
                error(key, Sizes.notASize(ConfigError.show(value)));
                return fallback;
            }
            if (bytes < min || bytes > max) {
                error(key, ConfigError.show(value) + " is out of range (allowed: " + allowed + ")");
                return fallback;
            }
            return bytes;
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> cast(Map<?, ?> map) {
            // toml4j's keys are always strings; QuickConfig builds the same shape.
            return (Map<String, Object>) map;
        }
    }

    /**
     * Any thread (stateless). toml4j's parse, with its errors turned into {@link ConfigError}s keyed
     * {@code line N}.
     */
    private static final class TomlSyntax {

        private static final Pattern ON_LINE = Pattern.compile("(.*?) on line (\\d+)(.*)");
        /** {@code key =} with nothing after it but an optional comment. */
        private static final Pattern NO_VALUE = Pattern.compile("\\s*([^\\s=#\\[][^=#]*?)\\s*=\\s*(#.*)?");

        static Map<String, Object> read(String toml) throws ConfigException {
            if (toml.startsWith("\uFEFF")) {
                toml = toml.substring(1);
            }
            try {
                Map<String, Object> root = new Toml().read(toml).toMap();
                List<ConfigError> missingValues = missingValues(toml);
                if (!missingValues.isEmpty()) {
                    throw new ConfigException(missingValues);
                }
                return root;
            } catch (IllegalStateException e) {
                throw new ConfigException(errors(e.getMessage()));
            } catch (NumberFormatException e) {
                // toml4j lets Long.parseLong fail on integers beyond 64 bits, without a line number.
                throw new ConfigException(new ConfigError("toml", "integer too large for 64 bits (" + e.getMessage() + ")"));
            } catch (RuntimeException e) {
                // A parser bug must still end as a config error, not a stack trace from --check-config.
                throw new ConfigException(new ConfigError("toml", "cannot parse (" + e + ")"));
            }
        }

        /**
         * One error per line of toml4j's message. A line without "on line N" after the first is the
         * rest of an unterminated value that toml4j quotes, not an error of its own.
         */
        private static List<ConfigError> errors(String message) {
            Map<String, ConfigError> errors = new LinkedHashMap<>();
            for (String line : String.valueOf(message).split("\n")) {
                Matcher onLine = ON_LINE.matcher(line);
                ConfigError error = null;
                if (onLine.matches()) {
                    error = new ConfigError("line " + onLine.group(2), decapitalize(onLine.group(1) + onLine.group(3)));
                } else if (errors.isEmpty() && !line.isBlank()) {
                    error = new ConfigError("toml", decapitalize(line));
                }
                if (error != null) {
                    errors.putIfAbsent(error.toString(), error);
                }
            }
            if (errors.isEmpty()) {
                errors.put("", new ConfigError("toml", "cannot parse (" + message + ")"));
            }
            List<ConfigError> sorted = new ArrayList<>(errors.values());
            sorted.sort((a, b) -> compareKeyPaths(a.keyPath(), b.keyPath()));
            return sorted;
        }

        /**
         * toml4j 0.7.2 accepts {@code workers =} and drops the key, so its default would apply
         * silently; TOML says a value is required. Lines inside multi-line strings are skipped.
         */
        private static List<ConfigError> missingValues(String toml) {
            List<ConfigError> errors = new ArrayList<>();
            String[] lines = toml.split("\r?\n", -1);
            String openQuotes = null;
            for (int n = 0; n < lines.length; n++) {
                String line = lines[n];
                Matcher noValue = NO_VALUE.matcher(line);
                if (openQuotes == null && noValue.matches()) {
                    String keyAndEquals = noValue.group(1) + " =";
                    errors.add(new ConfigError("line " + (n + 1), "no value after " + ConfigError.quote(keyAndEquals)));
                }
                openQuotes = multiLineStringOpenAfter(line, openQuotes);
            }
            return errors;
        }

        /** Which multi-line string delimiter is still open at the end of {@code line}, if any. */
        private static String multiLineStringOpenAfter(String line, String open) {
            int from = 0;
            while (true) {
                if (open != null) {
                    int close = line.indexOf(open, from);
                    if (close < 0) {
                        return open;
                    }
                    from = close + 3;
                    open = null;
                } else {
                    int basic = line.indexOf("\"\"\"", from);
                    int literal = line.indexOf("'''", from);
                    if (basic < 0 && literal < 0) {
                        return null;
                    }
                    boolean basicFirst = literal < 0 || (basic >= 0 && basic < literal);
                    open = basicFirst ? "\"\"\"" : "'''";
                    from = (basicFirst ? basic : literal) + 3;
                }
            }
        }

        static String decapitalize(String text) {
            String trimmed = text.trim();
            return trimmed.isEmpty() ? trimmed : Character.toLowerCase(trimmed.charAt(0)) + trimmed.substring(1);
        }
    }
}
