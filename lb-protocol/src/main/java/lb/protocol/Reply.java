package lb.protocol;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Any thread (immutable). The {@code "result"} of a command's final reply: a record per command
 * ({@link Command#replyType()}); the seven commands that act on one backend share {@link Backend},
 * the backend's state after the change. Field names on the wire are the components' in snake_case
 * ({@link RecordJson}).
 */
public sealed interface Reply {

    /** The reply as its wire object. */
    default Map<String, Object> toJson() {
        return RecordJson.toJson((Record) this);
    }

    /** The typed result of {@code command} from a parsed {@code "result"} object. */
    static Reply read(Command command, Map<?, ?> result) {
        if (command == Command.STATS) {
            return Stats.read(result);
        }
        return (Reply) RecordJson.fromJson(command.replyType(), result);
    }

    record Version(String version) implements Reply {
    }

    /**
     * {@code stateFileError}: why the last write of the state file failed, null while writes succeed
     * (or there is none); {@code stateFileErrorSinceMs}: when the failures began (epoch ms).
     */
    /**
     * {@code pid}: the daemon process answering. {@code tcpMigrateReq}: the host's
     * net.ipv4.tcp_migrate_req (1: an upgrade moves connections queued on the old listeners to the
     * new ones; 0: they are reset), or null when it cannot be read.
     */
    record Status(String version, long uptimeMs, List<ListenerStatus> listeners, List<PoolStatus> pools,
                  String stateFileError, Long stateFileErrorSinceMs, Long pid, Long tcpMigrateReq) implements Reply {

        public Status(String version, long uptimeMs, List<ListenerStatus> listeners, List<PoolStatus> pools,
                      String stateFileError, Long stateFileErrorSinceMs) {
            this(version, uptimeMs, listeners, pools, stateFileError, stateFileErrorSinceMs, null, null);
        }

        public Status(String version, long uptimeMs, List<ListenerStatus> listeners, List<PoolStatus> pools) {
            this(version, uptimeMs, listeners, pools, null, null);
        }
    }

    /**
     * The new process took over: {@code newPid} serves new connections; {@code oldPid} (this one)
     * drains for up to {@code graceMs}. {@code warning}: e.g. net.ipv4.tcp_migrate_req = 0.
     */
    record Upgrade(long oldPid, long newPid, long readyMs, long graceMs, String warning) implements Reply {
    }

    /**
     * {@code paused}: null while accepting, else "limit" (at max_connections), "rate" (above rate_limit)
     * or "backoff" (see docs/admin.md). {@code pool}: null when sessions no route takes are reset.
     * {@code routes}: by TLS server name, in the order they are tried ("names [alpn] -> pool"), empty
     * for a listener without.
     */
    record ListenerStatus(String name, String bind, String pool, int activeSessions, String paused, List<String> routes) {

        public ListenerStatus(String name, String bind, String pool, int activeSessions, String paused) {
            this(name, bind, pool, activeSessions, paused, List.of());
        }

        public ListenerStatus(String name, String bind, String pool, int activeSessions) {
            this(name, bind, pool, activeSessions, null);
        }
    }

    /**
     * {@code servingTier}: the tier new sessions go to now (see {@link BackendStatus}), null when no
     * backend can take one.
     */
    /** {@code discovery}: how the pool's DNS discovery is doing, null for a pool without. */
    record PoolStatus(String name, String algorithm, boolean panic, long sessionsRefused,
                      List<BackendStatus> backends, String servingTier, DiscoveryStatus discovery) {

        public PoolStatus(String name, String algorithm, boolean panic, long sessionsRefused,
                          List<BackendStatus> backends, String servingTier) {
            this(name, algorithm, panic, sessionsRefused, backends, servingTier, null);
        }

        public PoolStatus(String name, String algorithm, boolean panic, long sessionsRefused,
                          List<BackendStatus> backends) {
            this(name, algorithm, panic, sessionsRefused, backends, null);
        }
    }

    /**
     * A pool's DNS discovery: the name and record type, the resolvers asked, the refresh rule ("ttl
     * 1s..5m" or a fixed "5s"). {@code failing}: null while the last lookup succeeded, else its
     * reason (timeout, servfail, nxdomain, empty, truncated, other) with {@code detail} and since
     * when (epoch ms); the pool keeps the last good set meanwhile. {@code backends}: what the last
     * good answer gave (-1 before the first), {@code leftOut}: records past max_backends;
     * {@code failures}: failed lookups since start; {@code nextLookupInMs}: when it asks again.
     */
    record DiscoveryStatus(String name, String type, List<String> resolvers, String refresh, String failing,
                           String detail, Long failingSinceMs, Long lastSuccessMs, int backends, int leftOut,
                           long failures, long nextLookupInMs) {
    }

    /**
     * {@code effectiveWeight} is on the configured scale, to two decimals (slow start ramps it).
     * {@code tier}: "0" for a plain backend, an SRV priority such as "10", "backup" (or "backup+10");
     * a lower tier is used first.
     */
    record BackendStatus(String name, String address, int weight, double effectiveWeight, String adminState,
                         String health, boolean ejected, int activeSessions, long totalSessions,
                         long connectFailures, int maxConnections, String tier) {

        public BackendStatus(String name, String address, int weight, double effectiveWeight, String adminState,
                             String health, boolean ejected, int activeSessions, long totalSessions,
                             long connectFailures, int maxConnections) {
            this(name, address, weight, effectiveWeight, adminState, health, ejected, activeSessions, totalSessions,
                    connectFailures, maxConnections, "0");
        }
    }

    /**
     * {@code figures}: listeners, pools and backends with their counters, rates and latency quantiles
     * (docs/metrics.md); on the wire they sit beside {@code version} and {@code uptime_ms}.
     */
    record Stats(String version, long uptimeMs, Map<String, Object> figures) implements Reply {
        @Override
        public Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("version", version);
            json.put("uptime_ms", uptimeMs);
            json.putAll(figures);
            return json;
        }

        static Stats read(Map<?, ?> json) {
            Map<String, Object> figures = new LinkedHashMap<>();
            json.forEach((k, v) -> figures.put(String.valueOf(k), v));
            figures.remove("version");
            figures.remove("uptime_ms");
            Object uptime = json.get("uptime_ms");
            return new Stats(String.valueOf(json.get("version")), uptime instanceof Number n ? n.longValue() : 0,
                    figures);
        }
    }

    record Sessions(long matched, List<SessionEntry> sessions) implements Reply {
    }

    /** {@code id}: what kill-session takes; {@code up}/{@code down}: bytes client to backend and back so far. */
    record SessionEntry(long id, String client, String listener, String backend, long ageMs, long up, long down) {
    }

    /**
     * Tracked sources, most connections first. {@code tracked}: sources each listener's table holds;
     * {@code untracked}: listeners without a per-source limit (nothing to list).
     */
    record Sources(List<SourceEntry> sources, Map<String, Object> tracked, List<String> untracked) implements Reply {
    }

    /** {@code source}: the prefix sources are grouped by; {@code ratePerS}: new connections a second, recently. */
    record SourceEntry(String listener, String source, long connections, double ratePerS) {
    }

    /** How many sessions kill-session reset. */
    record KillSession(int killed) implements Reply {
    }

    /** For hashing algorithms the hash and the backend; for others why there is no mapping. */
    /** {@code route}: on a listener with routes by server name, the one the name takes, or "(none)". */
    /**
     * {@code tier}, in a pool whose backends are in more than one tier: the tier the session would go
     * to ("0", "backup", ...; null when none can take it), and {@code tierNote} why.
     */
    record Explain(String listener, String pool, String algorithm, List<String> ineligible, boolean deterministic,
                   String note, String hashKey, String hash, Long tableSlot, String backend, String hashFallback,
                   String route, String tier, String tierNote) implements Reply {

        public Explain(String listener, String pool, String algorithm, List<String> ineligible, boolean deterministic,
                       String note, String hashKey, String hash, Long tableSlot, String backend, String hashFallback,
                       String route) {
            this(listener, pool, algorithm, ineligible, deterministic, note, hashKey, hash, tableSlot, backend,
                    hashFallback, route, null, null);
        }

        public Explain(String listener, String pool, String algorithm, List<String> ineligible, boolean deterministic,
                       String note, String hashKey, String hash, Long tableSlot, String backend, String hashFallback) {
            this(listener, pool, algorithm, ineligible, deterministic, note, hashKey, hash, tableSlot, backend,
                    hashFallback, null);
        }
    }

    record PreviewRemove(String target, String algorithm, boolean deterministic, String note, Long keysSampled,
                         Double shareOnBackend, Double shareOfOthersMoving, Double shareMoving) implements Reply {
    }

    /**
     * {@code runtime}: the journaled runtime changes; {@code file}: what a reload of the file would
     * change, or {@code fileError} when it would be refused.
     */
    record Diff(String config, List<Map<String, Object>> runtime, List<String> file, String fileError)
            implements Reply {
    }

    /** One line per change; empty when the file matched what runs. */
    record Reload(List<String> changes) implements Reply {
    }

    /**
     * A backend's state after drain, undrain, disable, enable, set-weight, add-backend or
     * remove-backend. The optional fields say how a wait ended: {@code drained} (or the deadline
     * passed, then {@code then} and {@code sessionsClosed}), {@code removed}, and a {@code warning}
     * when the change could not be journaled.
     */
    record Backend(String target, String adminState, int weight, int activeSessions, Boolean removed,
                   String warning, Boolean drained, Long waitedMs, String then, Integer sessionsClosed)
            implements Reply {

        public Backend(String target, String adminState, int weight, int activeSessions) {
            this(target, adminState, weight, activeSessions, null, null, null, null, null, null);
        }

        public Backend withWarning(String text) {
            return new Backend(target, adminState, weight, activeSessions, removed, text, drained, waitedMs, then,
                    sessionsClosed);
        }
    }

    /** A progress line of a command that waits (drain, disable with grace, remove-backend). */
    record Progress(String target, int activeSessions, long oldestAgeMs, long waitedMs) {
    }
}
