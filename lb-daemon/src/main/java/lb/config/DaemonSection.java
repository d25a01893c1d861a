package lb.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Any thread (stateless). Reads the {@code [daemon]} table. */
final class DaemonSection {

    static final List<String> KEYS = List.of("access_log", "access_log_format", "admin_socket", "admin_socket_group",
            "buffer_pool_max", "buffer_size", "drain_delay", "shutdown_grace", "state_file", "stats", "warmup", "workers");
    static final int MAX_WORKERS = 256;
    static final long MIN_BUFFER_SIZE = 4 * Sizes.KIB;
    static final long MAX_BUFFER_SIZE = 16 * Sizes.MIB;

    private DaemonSection() {
    }

    static DaemonConfig read(TomlTable t) {
        t.onlyKeys(KEYS);
        int workers = workers(t);
        Duration grace = t.duration("shutdown_grace", DaemonConfig.DEFAULT_SHUTDOWN_GRACE, Duration.ZERO, "0s..24h");
        Duration drainDelay = t.duration("drain_delay", Duration.ZERO, Duration.ZERO, "0s..24h");
        Duration warmup = t.duration("warmup", DaemonConfig.DEFAULT_WARMUP, Duration.ZERO, "0s..60s");
        if (warmup.compareTo(DaemonConfig.MAX_WARMUP) > 0) {
            t.error("warmup", ConfigError.show(t.raw("warmup")) + " is out of range (allowed: 0s..60s)");
            warmup = DaemonConfig.DEFAULT_WARMUP;
        }
        Object target = t.raw("access_log");
        boolean accessLog = !Boolean.FALSE.equals(target) && !"off".equals(target);
        Path accessLogFile = accessLogFile(t, target);
        String formatName = t.string("access_log_format", AccessLogFormat.LOGFMT.configName());
        AccessLogFormat format = AccessLogFormat.of(formatName);
        if (format == null) {
            if (formatName != null) {
                t.error("access_log_format", ConfigError.quote(formatName) + " is not a format (allowed: \"logfmt\", "
                        + "\"json\")");
            }
            format = AccessLogFormat.LOGFMT;
        }
        long bufferSize = t.size("buffer_size", DaemonConfig.DEFAULT_BUFFER_SIZE, MIN_BUFFER_SIZE, MAX_BUFFER_SIZE,
                "4KiB..16MiB");
        long poolMax = t.has("buffer_pool_max") ? t.size("buffer_pool_max", DaemonConfig.DEFAULT_BUFFER_POOL_MAX,
                bufferSize, Long.MAX_VALUE, "buffer_size (" + Sizes.format(bufferSize) + ") or more")
                : DaemonConfig.AUTO_BUFFER_POOL_MAX;
        String socket = t.string("admin_socket", DaemonConfig.DEFAULT_ADMIN_SOCKET.toString());
        Path adminSocket = null;
        if (socket != null && !socket.isEmpty()) {
            // Bytes, not characters: the kernel's limit (sun_path) is in bytes, and an upgrade needs room beside it.
            if (!socket.startsWith("/") || socket.indexOf('\0') >= 0
                    || socket.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 100) {
                t.error("admin_socket", ConfigError.quote(socket) + " is not an absolute path of at most 100 "
                        + "bytes (Unix socket paths are short); \"\" = no admin socket");
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
                stats, accessLogFile, format, drainDelay, warmup);
    }

    /**
     * {@code access_log}: "journal" (or true, as before files were possible), "off" (or false), or an
     * absolute file path; null unless a file.
     */
    private static Path accessLogFile(TomlTable t, Object target) {
        if (target == null || target instanceof Boolean || "journal".equals(target) || "off".equals(target)) {
            return null;
        }
        String allowed = " (allowed: \"journal\", \"off\", or an absolute file path such as "
                + "\"/var/log/lb/access.log\")";
        if (!(target instanceof String file)) {
            t.error("access_log", ConfigError.show(target) + " is not a string or boolean" + allowed);
            return null;
        }
        if (!file.startsWith("/") || file.indexOf('\0') >= 0 || file.endsWith("/")) {
            t.error("access_log", ConfigError.quote(file) + " is not an absolute file path" + allowed);
            return null;
        }
        return Path.of(file);
    }

    private static int workers(TomlTable t) {
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
}
