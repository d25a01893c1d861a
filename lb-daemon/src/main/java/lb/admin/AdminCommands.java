package lb.admin;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.Locale;
import java.util.function.Function;

import lb.Version;
import lb.listen.Listener;
import lb.config.BackendConfig;
import lb.pool.AdminState;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.config.HashKey;
import lb.balance.Hashing;
import lb.pool.HealthState;
import lb.pool.PoolSnapshot;
import lb.session.SessionInfo;

/**
 * Owned by the admin thread. What each admin command does: parses one request line, checks it,
 * and returns the reply line: {@code {"ok":true,"result":...}} or {@code {"ok":false,"error":"..."}}.
 * Commands read pool snapshots and backend counters; they never block an event loop.
 */
public final class AdminCommands {

    private final long startedNs;
    private final DaemonControl control;
    private final Map<String, Function<Map<String, Object>, Object>> commands = new TreeMap<>();

    public AdminCommands(DaemonControl control, long startedNs) {
        this.startedNs = startedNs;
        this.control = control;
        commands.put("version", request -> Map.of("version", Version.text()));
        commands.put("status", request -> status());
        commands.put("drain", this::drain);
        commands.put("undrain", request -> setAdminState(request, AdminState.ACTIVE));
        commands.put("enable", request -> setAdminState(request, AdminState.ACTIVE));
        commands.put("disable", this::disable);
        commands.put("set-weight", this::setWeight);
        commands.put("sessions", this::sessions);
        commands.put("reload", request -> Map.of("changes", control.reload()));
        commands.put("add-backend", this::addBackend);
        commands.put("preview-remove", this::previewRemove);
        commands.put("explain", this::explain);
        commands.put("remove-backend", this::removeBackend);
        commands.put("diff", request -> control.diff());
        commands.put("stats", request -> {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("version", Version.text());
            result.put("uptime_ms", (System.nanoTime() - startedNs) / 1_000_000);
            result.putAll(control.stats());
            return result;
        });
    }

    /** Commands that change runtime state: the state file journals what they did. */
    private static final Set<String> CHANGING = Set.of("drain", "undrain", "enable", "disable", "set-weight",
            "add-backend", "remove-backend");

    /** Fixed pools and listeners, without a way to close sessions (tests of the protocol alone). */
    public AdminCommands(Map<String, BackendPool> pools, Map<String, Listener> listeners, long startedNs) {
        this(DaemonControl.fixed(pools, listeners), startedNs);
    }

    /** The pool and backend a request's {@code "target": "pool/backend"} names. */
    private record Target(BackendPool pool, Backend backend) {
    }

    private Target target(Map<String, Object> request) {
        Object value = request.get("target");
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException(value == null ? "missing \"target\" (pool/backend)"
                    : "\"target\" must be a string: pool/backend");
        }
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("\"" + text + "\" is not pool/backend");
        }
        String poolName = text.substring(0, slash);
        String backendName = text.substring(slash + 1);
        BackendPool pool = control.pools().get(poolName);
        if (pool == null) {
            throw new IllegalArgumentException("no pool named \"" + poolName + "\" (pools: "
                    + String.join(", ", control.pools().keySet()) + ")");
        }
        List<Backend> backends = pool.snapshot().backends();
        for (Backend b : backends) {
            if (b.name().equals(backendName)) {
                return new Target(pool, b);
            }
        }
        throw new IllegalArgumentException("no backend named \"" + backendName + "\" in pool " + poolName
                + " (backends: " + String.join(", ", backends.stream().map(Backend::name).toList()) + ")");
    }

    private static Map<String, Object> backendState(Target t) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("target", t.pool().name() + "/" + t.backend().name());
        result.put("admin_state", t.backend().adminState().name().toLowerCase(Locale.ROOT));
        result.put("weight", t.backend().weight());
        result.put("active_sessions", t.backend().activeSessions());
        return result;
    }

    private Object setAdminState(Map<String, Object> request, AdminState state) {
        Target t = target(request);
        t.backend().adminState(state);
        return backendState(t);
    }

    /**
     * No new sessions; open ones continue. With {@code "wait": true} the reply comes when the
     * backend's active sessions reach 0, with a progress line every second meanwhile; with
     * {@code "deadline_ms"}, at the deadline {@code "then"} is applied to what is left:
     * {@code "keep"} (default: leave them), {@code "close"} (reset them) or {@code "remove"} (take
     * the backend out of the pool; the sessions left continue). A drain with {@code "remove"} that
     * ends before its deadline removes the backend too: draining it was the first step of removing it.
     */
    private Object drain(Map<String, Object> request) {
        Target t = target(request);
        Object wait = request.getOrDefault("wait", false);
        if (!(wait instanceof Boolean)) {
            throw new IllegalArgumentException("\"wait\" must be true or false");
        }
        Object deadline = request.get("deadline_ms");
        if (deadline != null && (!(deadline instanceof Long ms) || ms < 0)) {
            throw new IllegalArgumentException("\"deadline_ms\" must be an integer of milliseconds, 0 or more");
        }
        Object then = request.getOrDefault("then", "keep");
        if (!"keep".equals(then) && !"close".equals(then) && !"remove".equals(then)) {
            throw new IllegalArgumentException("\"then\" must be \"keep\", \"close\" or \"remove\", not "
                    + Json.write(then));
        }
        if ((deadline != null || request.containsKey("then")) && !Boolean.TRUE.equals(wait)) {
            throw new IllegalArgumentException("\"deadline_ms\" and \"then\" need \"wait\": true");
        }
        t.backend().adminState(AdminState.DRAINING);
        if (!Boolean.TRUE.equals(wait)) {
            return backendState(t);
        }
        return new DrainWait(t, deadline == null ? Long.MAX_VALUE : (Long) deadline, (String) then,
                "remove".equals(then));
    }

    /** Owned by the admin thread. A drain waiting for the backend's sessions to end. */
    private final class DrainWait implements Pending {
        private static final long PROGRESS_EVERY_NS = 1_000_000_000L;
        private final Target target;
        private final long startNs = System.nanoTime();
        private final long deadlineNs;
        private final String then;
        private final boolean remove;
        private long nextProgressNs;

        DrainWait(Target target, long deadlineMs, String then, boolean remove) {
            this.target = target;
            this.deadlineNs = deadlineMs == Long.MAX_VALUE ? Long.MAX_VALUE
                    : startNs + Math.min(deadlineMs, Long.MAX_VALUE / 2_000_000) * 1_000_000;
            this.then = then;
            this.remove = remove;
            this.nextProgressNs = startNs;
        }

        @Override
        public Step poll(long nowNs) {
            Backend b = target.backend();
            int active = b.activeSessions();
            if (active == 0) {
                return new Step(ok(finalResult(nowNs, true, 0)), true);
            }
            if (deadlineNs != Long.MAX_VALUE && nowNs - deadlineNs >= 0) {
                int closed = "close".equals(then) ? control.closeSessionsOn(b) : 0;
                return new Step(ok(finalResult(nowNs, false, closed)), true);
            }
            if (nowNs - nextProgressNs >= 0) {
                nextProgressNs = nowNs + PROGRESS_EVERY_NS;
                DaemonControl.SessionList oldest = control.sessions(b, 1);
                Map<String, Object> progress = new LinkedHashMap<>();
                progress.put("target", target.pool().name() + "/" + b.name());
                progress.put("active_sessions", active);
                progress.put("oldest_age_ms", oldest.sessions().isEmpty() ? 0 : oldest.sessions().get(0).ageMs());
                progress.put("waited_ms", (nowNs - startNs) / 1_000_000);
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("ok", true);
                line.put("progress", progress);
                return new Step(Json.write(line), false);
            }
            return new Step(null, false);
        }

        private Map<String, Object> finalResult(long nowNs, boolean drained, int closed) {
            String notSaved = null;
            if (remove) {
                target.pool().remove(target.backend());
                notSaved = control.saveState();
            }
            Map<String, Object> result = backendState(target);
            if (remove) {
                result.put("removed", true);
            }
            if (notSaved != null) {
                result.put("warning", notSaved);
            }
            result.put("drained", drained);
            result.put("waited_ms", (nowNs - startNs) / 1_000_000);
            if (!drained) {
                result.put("then", then);
                result.put("sessions_closed", closed);
            }
            return result;
        }
    }

    static final long DEFAULT_REMOVE_TIMEOUT_MS = 30_000;
    static final int PREVIEW_KEYS = 100_000;
    private static final Set<String> DETERMINISTIC = Set.of("source_hash", "ring_hash", "maglev",
            "bounded_load");

    /**
     * Which backend a new session from {@code client} ("ip" or "ip:port", IPv6 in brackets with a
     * port) on {@code listener} (optional when there is one) would get now, and why.
     */
    private Object explain(Map<String, Object> request) {
        Object clientValue = request.get("client");
        if (!(clientValue instanceof String clientText)) {
            throw new IllegalArgumentException("missing \"client\" (ip or ip:port)");
        }
        Listener listener;
        Object listenerName = request.get("listener");
        if (listenerName == null) {
            if (control.listeners().size() != 1) {
                throw new IllegalArgumentException("\"listener\" is needed: there are " + control.listeners().size() + " ("
                        + String.join(", ", control.listeners().keySet()) + ")");
            }
            listener = control.listeners().values().iterator().next();
        } else {
            listener = control.listeners().get(String.valueOf(listenerName));
            if (listener == null) {
                throw new IllegalArgumentException("no listener named " + Json.write(listenerName) + " (listeners: "
                        + String.join(", ", control.listeners().keySet()) + ")");
            }
        }
        byte[] ip;
        int port;
        String host = clientText;
        port = -1;
        int colon = clientText.lastIndexOf(':');
        if (clientText.startsWith("[")) {
            int close = clientText.indexOf(']');
            host = close > 0 ? clientText.substring(1, close) : clientText;
            port = close > 0 && close + 1 < clientText.length() ? parsePort(clientText.substring(close + 2)) : -1;
        } else if (colon > 0 && clientText.indexOf(':') == colon) {
            host = clientText.substring(0, colon);
            port = parsePort(clientText.substring(colon + 1));
        }
        try {
            if (!host.matches("[0-9A-Fa-f:.]+")) {
                throw new UnknownHostException(host);
            }
            ip = InetAddress.getByName(host).getAddress(); // a literal: no DNS
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(Json.write(clientText) + " is not an IP address (optionally :port)");
        }
        BackendPool pool = listener.pool();
        PoolSnapshot snapshot = pool.snapshot();
        long ipHash = Hashing.address(ip, -1);
        long ipPortHash = Hashing.address(ip, Math.max(port, 0));
        ClientKey key = k -> k == HashKey.CLIENT_IP ? ipHash : ipPortHash;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("listener", listener.name());
        result.put("pool", pool.name());
        result.put("algorithm", snapshot.algorithm());
        List<Object> skipped = new ArrayList<>();
        for (Backend b : snapshot.backends()) {
            if (!b.isEligible()) {
                skipped.add(b.name() + " (" + whyIneligible(b) + ")");
            }
        }
        result.put("ineligible", skipped);
        if (!DETERMINISTIC.contains(snapshot.algorithm())) {
            result.put("deterministic", false);
            result.put("note", snapshot.algorithm() + " does not map clients to backends: the next pick depends on "
                    + "the loop that accepts the connection and on current state, not on the client");
            return result;
        }
        HashKey hashKey = snapshot.options().hashKey();
        if (hashKey == HashKey.CLIENT_IP_PORT && port < 0) {
            throw new IllegalArgumentException("this pool hashes client_ip_port: give ip:port");
        }
        long hash = key.clientHash(hashKey);
        result.put("deterministic", true);
        result.put("hash_key", hashKey.configName());
        result.put("hash", String.format("%016x", hash));
        if (snapshot.algorithm().equals("maglev")) {
            result.put("table_slot", Long.remainderUnsigned(hash, snapshot.options().maglevTableSize()));
        }
        Backend picked = snapshot.detachedBalancer().pick(key, null);
        result.put("backend", picked == null ? null : picked.name());
        result.put("hash_fallback", snapshot.options().hashFallback().configName());
        return result;
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(Json.write(text) + " is not a port");
    }

    private static String whyIneligible(Backend b) {
        if (b.adminState() != AdminState.ACTIVE) {
            return b.adminState().name().toLowerCase(Locale.ROOT);
        }
        if (b.weight() <= 0) {
            return "weight 0";
        }
        if (b.healthState() != HealthState.UP) {
            return "down";
        }
        if (b.isEjected()) {
            return "ejected";
        }
        return "at max_connections";
    }

    /**
     * For a hashing algorithm, the share of client keys that would move to another backend if
     * {@code target} were removed now: {@value #PREVIEW_KEYS} keys spread evenly over the hash
     * space, placed with the current snapshot and with one built without the backend.
     */
    private Object previewRemove(Map<String, Object> request) {
        Target t = target(request);
        PoolSnapshot now = t.pool().snapshot();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("target", t.pool().name() + "/" + t.backend().name());
        result.put("algorithm", now.algorithm());
        if (!DETERMINISTIC.contains(now.algorithm())) {
            result.put("deterministic", false);
            result.put("note", now.algorithm() + " does not map clients to backends: removing one moves only its own "
                    + "sessions' future picks, spread over the others");
            return result;
        }
        Balancer before = now.detachedBalancer();
        Balancer after = t.pool().without(t.backend()).detachedBalancer();
        int moved = 0;
        int onRemoved = 0;
        for (int i = 0; i < PREVIEW_KEYS; i++) {
            long hash = Hashing.mix(i * 0x9E37_79B9_7F4A_7C15L + 1);
            ClientKey key = k -> hash;
            Backend was = before.pick(key, null);
            Backend will = after.pick(key, null);
            if (was == t.backend()) {
                onRemoved++;
            } else if (was != will) {
                moved++;
            }
        }
        result.put("deterministic", true);
        result.put("keys_sampled", PREVIEW_KEYS);
        result.put("share_on_backend", Math.round(onRemoved * 10_000.0 / PREVIEW_KEYS) / 10_000.0);
        result.put("share_of_others_moving", Math.round(moved * 10_000.0 / PREVIEW_KEYS) / 10_000.0);
        result.put("share_moving", Math.round((onRemoved + moved) * 10_000.0 / PREVIEW_KEYS) / 10_000.0);
        if (now.algorithm().equals("bounded_load")) {
            result.put("note", "bounded_load also moves keys as load changes; this is the placement at current load");
        }
        return result;
    }

    /** {@code pool}, {@code address} host:port, optional {@code weight} (default 1) and {@code name} (default the address). */
    private Object addBackend(Map<String, Object> request) {
        Object poolName = request.get("pool");
        if (!(poolName instanceof String name) || !control.pools().containsKey(name)) {
            throw new IllegalArgumentException(poolName == null ? "missing \"pool\"" : "no pool named "
                    + Json.write(poolName) + " (pools: " + String.join(", ", control.pools().keySet()) + ")");
        }
        Object address = request.get("address");
        if (!(address instanceof String text)) {
            throw new IllegalArgumentException("missing \"address\" (host:port)");
        }
        InetSocketAddress resolved = hostPort(text);
        Object weight = request.getOrDefault("weight", 1L);
        if (!(weight instanceof Long w) || w < 1 || w > BackendConfig.MAX_WEIGHT) {
            throw new IllegalArgumentException("\"weight\" must be an integer 1.." + BackendConfig.MAX_WEIGHT + ", not "
                    + Json.write(weight));
        }
        Object backendName = request.getOrDefault("name", text);
        if (!(backendName instanceof String bn) || !bn.matches("[\\x21-\\x7e]{1,255}")) {
            throw new IllegalArgumentException("\"name\" must be 1..255 printable ASCII characters, no spaces");
        }
        BackendPool pool = control.pools().get(name);
        Backend added = pool.add(new BackendConfig(bn, resolved, w.intValue()));
        return backendState(new Target(pool, added));
    }

    private static InetSocketAddress hostPort(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            port = -1;
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException(Json.write(text) + " is not host:port with a port 1..65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve " + Json.write(host));
        }
    }

    /**
     * Drains the backend, then takes it out of the pool once its sessions have ended, or after
     * {@code timeout_ms} (default 30 s) resets those left and takes it out anyway. Progress lines
     * every second meanwhile.
     */
    private Object removeBackend(Map<String, Object> request) {
        Target t = target(request);
        Object timeout = request.getOrDefault("timeout_ms", DEFAULT_REMOVE_TIMEOUT_MS);
        if (!(timeout instanceof Long ms) || ms < 0) {
            throw new IllegalArgumentException("\"timeout_ms\" must be an integer of milliseconds, 0 or more");
        }
        t.backend().adminState(AdminState.DRAINING);
        return new DrainWait(t, ms, "close", true);
    }

    /** No new sessions, and its open sessions are closed (reset), at once or after {@code grace_ms}. */
    private Object disable(Map<String, Object> request) {
        Target t = target(request);
        Object grace = request.getOrDefault("grace_ms", 0L);
        if (!(grace instanceof Long graceMs) || graceMs < 0) {
            throw new IllegalArgumentException("\"grace_ms\" must be an integer of milliseconds, 0 or more");
        }
        t.backend().adminState(AdminState.DISABLED);
        if (graceMs > 0) {
            // Open sessions get the grace period to end by themselves; then the rest are reset.
            return new DrainWait(t, graceMs, "close", false);
        }
        int closed = control.closeSessionsOn(t.backend());
        Map<String, Object> result = backendState(t);
        result.put("sessions_closed", closed);
        return result;
    }

    static final int DEFAULT_SESSION_LIMIT = 100;
    static final int MAX_SESSION_LIMIT = 10_000;

    /** Open sessions, oldest first, bounded by {@code limit}; optionally only those on {@code target}. */
    private Object sessions(Map<String, Object> request) {
        Backend backend = request.containsKey("target") ? target(request).backend() : null;
        Object value = request.getOrDefault("limit", (long) DEFAULT_SESSION_LIMIT);
        if (!(value instanceof Long limit) || limit < 1 || limit > MAX_SESSION_LIMIT) {
            throw new IllegalArgumentException("\"limit\" must be an integer 1.." + MAX_SESSION_LIMIT + ", not "
                    + Json.write(value));
        }
        DaemonControl.SessionList list = control.sessions(backend, limit.intValue());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("matched", list.matched());
        List<Object> sessions = new ArrayList<>();
        for (SessionInfo s : list.sessions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("client", s.client());
            m.put("listener", s.listener());
            m.put("backend", s.backend());
            m.put("age_ms", s.ageMs());
            m.put("up", s.up());
            m.put("down", s.down());
            sessions.add(m);
        }
        result.put("sessions", sessions);
        return result;
    }

    /** Takes effect for the next pick (a new snapshot); 0 = no new sessions, like a drain. */
    private Object setWeight(Map<String, Object> request) {
        Target t = target(request);
        Object value = request.get("weight");
        if (!(value instanceof Long weight) || weight < 0 || weight > BackendConfig.MAX_WEIGHT) {
            throw new IllegalArgumentException("\"weight\" must be an integer 0.." + BackendConfig.MAX_WEIGHT
                    + (value == null ? " (missing)" : ", not " + Json.write(value)));
        }
        t.backend().weight(weight.intValue());
        t.pool().republish();
        return backendState(t);
    }

    static String ok(Object result) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("ok", true);
        reply.put("result", result);
        return Json.write(reply);
    }

    /** An error reply. */
    static String error(String message) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("ok", false);
        reply.put("error", message);
        return Json.write(reply);
    }

    /** The reply line to one request line (without its newline), or a {@link Pending} that answers over time. */
    Object handle(String line) {
        Object parsed;
        try {
            parsed = Json.parse(line);
        } catch (IllegalArgumentException e) {
            return error(e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            return error("a request is a JSON object with a \"cmd\" field");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> request = (Map<String, Object>) map;
        Object cmd = request.get("cmd");
        if (!(cmd instanceof String name)) {
            return error(cmd == null ? "missing \"cmd\"" : "\"cmd\" must be a string");
        }
        Function<Map<String, Object>, Object> command = commands.get(name);
        if (command == null) {
            return error("unknown command \"" + name + "\" (known: " + String.join(", ", commands.keySet()) + ")");
        }
        try {
            Object result = command.apply(request);
            String notSaved = CHANGING.contains(name) ? control.saveState() : null;
            if (result instanceof Pending pending) {
                return pending;
            }
            if (notSaved != null && result instanceof Map<?, ?> fields) {
                Map<Object, Object> withWarning = new LinkedHashMap<>(fields);
                withWarning.put("warning", notSaved);
                return ok(withWarning);
            }
            return ok(result);
        } catch (IllegalArgumentException e) {
            return error(e.getMessage());
        }
    }

    private Object status() {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("version", Version.text());
        result.put("uptime_ms", (System.nanoTime() - startedNs) / 1_000_000);
        List<Object> listenerList = control.listeners().values().stream().map(l -> (Object) Map.of(
                "name", l.name(), "bind", l.boundAddressText(), "pool", l.pool().name(),
                "active_sessions", l.activeSessions())).toList();
        result.put("listeners", listenerList);
        List<Object> poolList = control.pools().values().stream().map(this::pool).toList();
        result.put("pools", poolList);
        return result;
    }

    private Object pool(BackendPool pool) {
        PoolSnapshot snapshot = pool.snapshot();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", pool.name());
        p.put("algorithm", snapshot.algorithm());
        p.put("panic", pool.poolHealth().panic());
        p.put("sessions_refused", pool.sessionsRefused());
        List<Object> backends = new ArrayList<>();
        for (int i = 0; i < snapshot.size(); i++) {
            Backend b = snapshot.backend(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", b.name());
            m.put("address", b.address().getAddress() != null
                    ? b.address().getAddress().getHostAddress() + ":" + b.address().getPort() : b.address().toString());
            m.put("weight", b.weight());
            // On the configured scale, to two decimals (slow start ramps it).
            m.put("effective_weight", Math.round(b.effectiveWeight(System.nanoTime()) * 100.0 / Backend.WEIGHT_UNIT)
                    / 100.0);
            m.put("admin_state", b.adminState().name().toLowerCase(Locale.ROOT));
            m.put("health", b.healthState().name().toLowerCase(Locale.ROOT));
            m.put("ejected", b.isEjected());
            m.put("active_sessions", b.activeSessions());
            m.put("total_sessions", b.totalSessions());
            m.put("connect_failures", b.connectFailures());
            m.put("max_connections", b.maxConnections());
            backends.add(m);
        }
        p.put("backends", backends);
        return p;
    }
}
