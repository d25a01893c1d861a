package lb.control;

import java.util.ArrayList;
import java.util.List;

import lb.config.Config;
import lb.config.ListenerConfig;
import lb.config.PoolConfig;
import lb.listen.Listener;

/**
 * Immutable; any thread. What a reload from {@code current} to {@code next} must do, worked out
 * before anything changes, so that a reload that cannot be applied is refused as a whole with
 * every reason.
 *
 * @param problems what makes the reload impossible (then nothing may change)
 * @param bind     listeners that need new sockets: new names, or a new address
 * @param reroute  listeners that keep their sockets (routing, timeouts or limits may differ)
 * @param unbind   names of listeners whose sockets close: removed, or moved to a new address
 */
record ReloadPlan(List<String> problems, List<ListenerConfig> bind, List<ListenerConfig> reroute,
                  List<String> unbind) {

    static ReloadPlan between(Config current, Config next) {
        List<String> problems = new ArrayList<>();
        if (!next.daemon().equals(current.daemon())) {
            problems.add("[daemon] settings changed: they apply only at start (restart the daemon)");
        }
        if (!next.metrics().equals(current.metrics())) {
            problems.add("[metrics] settings changed: they apply only at start (restart the daemon)");
        }
        List<ListenerConfig> bind = new ArrayList<>();
        List<ListenerConfig> reroute = new ArrayList<>();
        List<String> unbind = new ArrayList<>();
        for (ListenerConfig l : next.listeners()) {
            ListenerConfig old = find(current.listeners(), l.name());
            if (old == null) {
                bind.add(l);
            } else if (Listener.sameSockets(old, l)) {
                reroute.add(l);
            } else if (!old.bind().equals(l.bind())) {
                bind.add(l);
                unbind.add(l.name());
            } else {
                problems.add("listener " + l.name() + ": backlog, accept_mode and socket.receive_buffer apply only "
                        + "when a socket is bound (restart, or move the listener to another address)");
            }
        }
        for (ListenerConfig old : current.listeners()) {
            if (find(next.listeners(), old.name()) == null) {
                unbind.add(old.name());
            }
        }
        return new ReloadPlan(List.copyOf(problems), List.copyOf(bind), List.copyOf(reroute), List.copyOf(unbind));
    }

    /** Pools of {@code current} that {@code next} no longer has. */
    static List<String> removedPools(Config current, Config next) {
        List<String> removed = new ArrayList<>();
        for (PoolConfig p : current.pools()) {
            if (next.pools().stream().noneMatch(n -> n.name().equals(p.name()))) {
                removed.add(p.name());
            }
        }
        return removed;
    }

    private static ListenerConfig find(List<ListenerConfig> listeners, String name) {
        for (ListenerConfig l : listeners) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        return null;
    }
}
