package lb.protocol;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Any thread (immutable). Every admin command, once: its wire name, whether it changes the daemon's
 * state (such commands are applied in order by the daemon's control thread and audited), how its
 * request is read, and the type of its reply. The daemon's handlers, lb-cli's subcommands and the
 * "unknown command" message all come from this list.
 */
public enum Command {
    VERSION("version", false, "the daemon's version", json -> new Request.Version(), Reply.Version.class),
    STATUS("status", false, "listeners, pools and backends with their state", json -> new Request.Status(),
            Reply.Status.class),
    STATS("stats", false, "traffic and latency figures", json -> new Request.Stats(), Reply.Stats.class),
    SESSIONS("sessions", false, "open sessions, oldest first", Request.Sessions::read, Reply.Sessions.class),
    EXPLAIN("explain", false, "which backend a client would get now, and why", Request.Explain::read,
            Reply.Explain.class),
    SOURCES("sources", false, "the client sources with the most open connections and the highest connection rate",
            Request.Sources::read, Reply.Sources.class),
    PREVIEW_REMOVE("preview-remove", false, "share of clients that would move if a backend were removed",
            Request.PreviewRemove::read, Reply.PreviewRemove.class),
    DIFF("diff", false, "runtime changes and file edits not reloaded yet", json -> new Request.Diff(),
            Reply.Diff.class),
    DRAIN("drain", true, "no new sessions for a backend; optionally wait for its sessions to end",
            Request.Drain::read, Reply.Backend.class),
    UNDRAIN("undrain", true, "back in rotation after a drain", Request.Undrain::read, Reply.Backend.class),
    DISABLE("disable", true, "no new sessions for a backend, and reset its open ones", Request.Disable::read,
            Reply.Backend.class),
    ENABLE("enable", true, "back in rotation after disable", Request.Enable::read, Reply.Backend.class),
    SET_WEIGHT("set-weight", true, "a backend's weight, from the next pick", Request.SetWeight::read,
            Reply.Backend.class),
    ADD_BACKEND("add-backend", true, "add a backend to a pool", Request.AddBackend::read, Reply.Backend.class),
    REMOVE_BACKEND("remove-backend", true, "drain a backend, then take it out of its pool",
            Request.RemoveBackend::read, Reply.Backend.class),
    RELOAD("reload", true, "re-read the config file and apply the difference", json -> new Request.Reload(),
            Reply.Reload.class),
    KILL_SESSION("kill-session", true, "reset open sessions: by id, by client address or by backend",
            Request.KillSession::read, Reply.KillSession.class),
    UPGRADE("upgrade", true, "start a new daemon process from the installed jar; it takes over the listeners and "
            + "this one drains", Request.Upgrade::read, Reply.Upgrade.class);

    private static final Map<String, Command> BY_WIRE_NAME = new TreeMap<>();

    static {
        for (Command c : values()) {
            BY_WIRE_NAME.put(c.wireName, c);
        }
    }

    private final String wireName;
    private final boolean mutates;
    private final String summary;
    private final Function<Map<String, Object>, Request> reader;
    private final Class<? extends Record> replyType;

    Command(String wireName, boolean mutates, String summary, Function<Map<String, Object>, Request> reader,
            Class<? extends Record> replyType) {
        this.wireName = wireName;
        this.mutates = mutates;
        this.summary = summary;
        this.reader = reader;
        this.replyType = replyType;
    }

    /** The {@code "cmd"} value. */
    public String wireName() {
        return wireName;
    }

    /** Whether it changes state: applied in order on the control thread, audited, journaled. */
    public boolean mutates() {
        return mutates;
    }

    /** One line for help texts. */
    public String summary() {
        return summary;
    }

    /** The type of the final reply's {@code "result"}. */
    public Class<? extends Record> replyType() {
        return replyType;
    }

    /** This command's request from its wire object. */
    Request read(Map<String, Object> json) {
        return reader.apply(json);
    }

    /** @throws RefusedException with {@link ErrorCode#UNKNOWN_COMMAND}, listing the known ones */
    public static Command byWireName(String name) {
        Command command = BY_WIRE_NAME.get(name);
        if (command == null) {
            throw new RefusedException(ErrorCode.UNKNOWN_COMMAND, "unknown command \"" + name + "\" (known: "
                    + String.join(", ", BY_WIRE_NAME.keySet()) + ")");
        }
        return command;
    }
}
