package lb.protocol;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Any thread (immutable). One admin request: a record per command, checked when read, so a handler
 * in the daemon gets typed, valid fields, and lb-cli builds the same records it sends. On the wire a
 * request is {@code {"cmd": "<name>", <fields>}} on one line (docs/admin.md).
 */
public sealed interface Request {

    /** The command this request is for. */
    Command command();

    /** The request as its wire object: {@code "cmd"} first, then the non-null fields. */
    default Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("cmd", command().wireName());
        json.putAll(RecordJson.toJson((Record) this));
        return json;
    }

    /**
     * The request as one line, without its newline, naming this process as the sender
     * ({@value #CLIENT_PID}) for the daemon's audit log: the kernel tells the daemon the peer's user,
     * but the JDK does not pass on its pid.
     */
    default String toLine() {
        Map<String, Object> json = toJson();
        json.put(CLIENT_PID, ProcessHandle.current().pid());
        return Json.write(json);
    }

    /** The optional field in which a client names its process id. */
    String CLIENT_PID = "client_pid";

    /** A request line read: the request and the process id its sender declared (-1 when none). */
    record Line(Request request, long clientPid) {
    }

    /** As {@link #parse(String)}, with the declared {@value #CLIENT_PID}. */
    static Line parseLine(String line) {
        Request request = parse(line);
        Object pid = ((Map<?, ?>) Json.parse(line)).get(CLIENT_PID);
        return new Line(request, pid instanceof Long p && p > 0 ? p : -1);
    }

    /**
     * Reads one request line.
     *
     * @throws RefusedException saying what is wrong, with {@link ErrorCode#BAD_REQUEST} or
     *     {@link ErrorCode#UNKNOWN_COMMAND}
     */
    static Request parse(String line) {
        Object parsed;
        try {
            parsed = Json.parse(line);
        } catch (IllegalArgumentException e) {
            throw RefusedException.badRequest(e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw RefusedException.badRequest("a request is a JSON object with a \"cmd\" field");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> request = (Map<String, Object>) map;
        Object cmd = request.get("cmd");
        if (!(cmd instanceof String name)) {
            throw RefusedException.badRequest(cmd == null ? "missing \"cmd\"" : "\"cmd\" must be a string");
        }
        return Command.byWireName(name).read(request);
    }

    record Version() implements Request {
        @Override
        public Command command() {
            return Command.VERSION;
        }
    }

    record Status() implements Request {
        @Override
        public Command command() {
            return Command.STATUS;
        }
    }

    record Stats() implements Request {
        @Override
        public Command command() {
            return Command.STATS;
        }
    }

    record Diff() implements Request {
        @Override
        public Command command() {
            return Command.DIFF;
        }
    }

    record Reload() implements Request {
        @Override
        public Command command() {
            return Command.RELOAD;
        }
    }

    /**
     * Starts a new daemon process (same java, JVM options, jar and arguments) that joins every
     * listener's SO_REUSEPORT group; once it is ready within {@code timeoutMs}, this one stops
     * accepting and drains. A config that does not validate, or a new process that fails or is not
     * ready in time, leaves this one as it was.
     */
    record Upgrade(Long timeoutMs) implements Request {
        public static final long DEFAULT_TIMEOUT_MS = 30_000;

        static Upgrade read(Map<String, Object> json) {
            return new Upgrade(Fields.millis(json, "timeout_ms", DEFAULT_TIMEOUT_MS));
        }

        @Override
        public Command command() {
            return Command.UPGRADE;
        }
    }

    /** Open sessions, oldest first, at most {@code limit}; only those on {@code target} when given. */
    record Sessions(String target, Long limit) implements Request {
        static Sessions read(Map<String, Object> json) {
            return new Sessions(Fields.optionalTarget(json), Fields.integer(json, "limit", 1, Limits.MAX_SESSION_LIMIT,
                    (long) Limits.DEFAULT_SESSION_LIMIT));
        }

        @Override
        public Command command() {
            return Command.SESSIONS;
        }
    }

    /**
     * Resets open sessions, chosen by one of: {@code ids} (as {@code sessions} lists them), {@code client}
     * ("ip" for every port, or "ip:port"; IPv6 with a port as [addr]:port) or {@code target} (pool/backend).
     */
    record KillSession(List<Long> ids, String client, String target) implements Request {
        static KillSession read(Map<String, Object> json) {
            Object ids = json.get("ids");
            Object client = json.get("client");
            String target = Fields.optionalTarget(json);
            int given = (ids != null ? 1 : 0) + (client != null ? 1 : 0) + (target != null ? 1 : 0);
            if (given != 1) {
                throw RefusedException.badRequest("give exactly one of \"ids\" (session ids), \"client\" (ip or ip:port)"
                        + " or \"target\" (pool/backend)");
            }
            if (client != null && !(client instanceof String)) {
                throw RefusedException.badRequest("\"client\" must be a string: ip or ip:port");
            }
            List<Long> list = null;
            if (ids != null) {
                if (!(ids instanceof List<?> raw) || raw.isEmpty() || raw.size() > Limits.MAX_KILL_IDS) {
                    throw RefusedException.badRequest("\"ids\" must be a list of 1.." + Limits.MAX_KILL_IDS
                            + " session ids");
                }
                list = new java.util.ArrayList<>();
                for (Object id : raw) {
                    if (!(id instanceof Long n) || n <= 0) {
                        throw RefusedException.badRequest("\"ids\": " + Json.write(id) + " is not a session id");
                    }
                    list.add(n);
                }
                list = List.copyOf(list);
            }
            return new KillSession(list, (String) client, target);
        }

        @Override
        public Command command() {
            return Command.KILL_SESSION;
        }
    }

    /**
     * The sources a listener's per-source table tracks, most open connections first, then highest
     * rate: at most {@code limit}, of {@code listener} only when given.
     */
    record Sources(String listener, Long limit) implements Request {
        static Sources read(Map<String, Object> json) {
            Object listener = json.get("listener");
            return new Sources(listener == null ? null : String.valueOf(listener), Fields.integer(json, "limit", 1,
                    Limits.MAX_SESSION_LIMIT, (long) Limits.DEFAULT_SOURCE_LIMIT));
        }

        @Override
        public Command command() {
            return Command.SOURCES;
        }
    }

    /**
     * Which backend a new session from {@code client} ("ip" or "ip:port") on {@code listener} would get;
     * on a listener with routes, one whose ClientHello names {@code sni} (null: none).
     */
    record Explain(String client, String listener, String sni) implements Request {
        static Explain read(Map<String, Object> json) {
            Object listener = json.get("listener");
            Object sni = json.get("sni");
            return new Explain(Fields.string(json, "client", "ip or ip:port"),
                    listener == null ? null : String.valueOf(listener), sni == null ? null : String.valueOf(sni));
        }

        public Explain(String client, String listener) {
            this(client, listener, null);
        }

        @Override
        public Command command() {
            return Command.EXPLAIN;
        }
    }

    record PreviewRemove(String target) implements Request {
        static PreviewRemove read(Map<String, Object> json) {
            return new PreviewRemove(Fields.target(json));
        }

        @Override
        public Command command() {
            return Command.PREVIEW_REMOVE;
        }
    }

    /**
     * No new sessions for {@code target}. With {@code wait}, the reply comes when its sessions have
     * ended (progress lines meanwhile); at {@code deadlineMs}, {@code then} is applied to those left.
     */
    record Drain(String target, @WireName("wait") Boolean await, Long deadlineMs, Then then) implements Request {

        /** What a drain with a deadline does with the sessions left when it passes. */
        public enum Then { KEEP, CLOSE, REMOVE }

        static Drain read(Map<String, Object> json) {
            String target = Fields.target(json);
            Object wait = json.getOrDefault("wait", false);
            if (!(wait instanceof Boolean)) {
                throw RefusedException.badRequest("\"wait\" must be true or false");
            }
            Long deadline = Fields.millis(json, "deadline_ms", null);
            Object then = json.getOrDefault("then", "keep");
            Then parsed = switch (String.valueOf(then)) {
                case "keep" -> Then.KEEP;
                case "close" -> Then.CLOSE;
                case "remove" -> Then.REMOVE;
                default -> null;
            };
            if (!(then instanceof String) || parsed == null) {
                throw RefusedException.badRequest("\"then\" must be \"keep\", \"close\" or \"remove\", not "
                        + Json.write(then));
            }
            if ((deadline != null || json.containsKey("then")) && !Boolean.TRUE.equals(wait)) {
                throw RefusedException.badRequest("\"deadline_ms\" and \"then\" need \"wait\": true");
            }
            return new Drain(target, (Boolean) wait, deadline, parsed);
        }

        public boolean waits() {
            return Boolean.TRUE.equals(await);
        }

        @Override
        public Map<String, Object> toJson() {
            Map<String, Object> json = Request.super.toJson();
            if (json.get("wait") == Boolean.FALSE) {
                json.remove("wait");
            }
            if (then == Then.KEEP && !waits()) {
                json.remove("then");
            }
            return json;
        }

        @Override
        public Command command() {
            return Command.DRAIN;
        }
    }

    record Undrain(String target) implements Request {
        static Undrain read(Map<String, Object> json) {
            return new Undrain(Fields.target(json));
        }

        @Override
        public Command command() {
            return Command.UNDRAIN;
        }
    }

    record Enable(String target) implements Request {
        static Enable read(Map<String, Object> json) {
            return new Enable(Fields.target(json));
        }

        @Override
        public Command command() {
            return Command.ENABLE;
        }
    }

    /** No new sessions for {@code target}; its open ones are reset, at once or after {@code graceMs}. */
    record Disable(String target, Long graceMs) implements Request {
        static Disable read(Map<String, Object> json) {
            return new Disable(Fields.target(json), Fields.millis(json, "grace_ms", 0L));
        }

        @Override
        public Command command() {
            return Command.DISABLE;
        }
    }

    /** From the next pick; 0 = no new sessions. */
    record SetWeight(String target, Long weight) implements Request {
        static SetWeight read(Map<String, Object> json) {
            return new SetWeight(Fields.target(json), Fields.integer(json, "weight", 0, Limits.MAX_WEIGHT, null));
        }

        @Override
        public Command command() {
            return Command.SET_WEIGHT;
        }
    }

    /** {@code address} is host:port; {@code name} defaults to the address. */
    record AddBackend(String pool, String address, Long weight, String name) implements Request {
        static AddBackend read(Map<String, Object> json) {
            Object pool = json.get("pool");
            if (!(pool instanceof String poolName)) {
                throw RefusedException.badRequest(pool == null ? "missing \"pool\"" : "\"pool\" must be a string");
            }
            String address = Fields.string(json, "address", "host:port");
            long weight = Fields.integer(json, "weight", 1, Limits.MAX_WEIGHT, 1L);
            Object name = json.getOrDefault("name", address);
            if (!(name instanceof String n) || !n.matches("[\\x21-\\x7e]{1,255}")) {
                throw RefusedException.badRequest("\"name\" must be 1..255 printable ASCII characters, no spaces");
            }
            return new AddBackend(poolName, address, weight, n);
        }

        @Override
        public Command command() {
            return Command.ADD_BACKEND;
        }
    }

    /** Drains {@code target}, then takes it out once its sessions ended, or at {@code timeoutMs} anyway. */
    record RemoveBackend(String target, Long timeoutMs) implements Request {
        static RemoveBackend read(Map<String, Object> json) {
            return new RemoveBackend(Fields.target(json),
                    Fields.millis(json, "timeout_ms", Limits.DEFAULT_REMOVE_TIMEOUT_MS));
        }

        @Override
        public Command command() {
            return Command.REMOVE_BACKEND;
        }
    }
}
