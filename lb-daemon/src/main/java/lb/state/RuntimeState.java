package lb.state;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import lb.config.BackendConfig;
import lb.config.Config;
import lb.config.PoolConfig;
import lb.loop.Sockets;
import lb.pool.AdminState;
import lb.pool.Backend;
import lb.pool.BackendPool;

/**
 * Any thread (stateless). The runtime changes as a layer over the config file: {@link #capture}
 * reads them off the live pools, {@link #applyTo} lays them over a file's config at start or
 * reload. A change whose key the file itself has changed since is dropped: the file wins, and the
 * caller reports it.
 */
public final class RuntimeState {

    private RuntimeState() {
    }

    /**
     * What a file's config with runtime changes laid over it comes to.
     *
     * @param config     the file's config with the changes that still apply
     * @param applied    those changes (admin states are set with {@link #applyAdminStates} once
     *                   the pools exist)
     * @param overridden one line per change the file won over, for the operator
     */
    public record Overlay(Config config, List<RuntimeChange> applied, List<String> overridden) {
    }

    /** How the live pools differ from {@code file} (pools the file does not have are left out). */
    public static List<RuntimeChange> capture(Config file, Map<String, BackendPool> pools) {
        List<RuntimeChange> changes = new ArrayList<>();
        for (PoolConfig p : file.pools()) {
            BackendPool pool = pools.get(p.name());
            if (pool == null) {
                continue;
            }
            List<Backend> live = pool.snapshot().backends();
            for (Backend b : live) {
                if (b.discovered()) {
                    continue; // DNS, not an operator, put it there: the next lookup says what it is
                }
                BackendConfig c = find(p, b.name());
                if (c == null || !c.address().equals(b.address())) {
                    changes.add(new RuntimeChange(p.name(), b.name(), RuntimeChange.ADDED, Sockets.hostPort(b.address()), null,
                            b.weight()));
                } else if (b.weight() != c.weight()) {
                    changes.add(new RuntimeChange(p.name(), b.name(), RuntimeChange.WEIGHT, (long) b.weight(),
                            (long) c.weight(), 0));
                }
                if (b.adminState() != AdminState.ACTIVE) {
                    changes.add(new RuntimeChange(p.name(), b.name(), RuntimeChange.ADMIN_STATE, name(b.adminState()),
                            name(AdminState.ACTIVE), 0));
                }
            }
            for (BackendConfig c : p.backends()) {
                if (live.stream().noneMatch(b -> b.name().equals(c.name()) && b.address().equals(c.address()))) {
                    changes.add(new RuntimeChange(p.name(), c.name(), RuntimeChange.REMOVED, null, Sockets.hostPort(c.address()), 0));
                }
            }
        }
        return changes;
    }

    /** Lays {@code changes} over {@code file}: additions and removals first, then weights and states. */
    public static Overlay applyTo(Config file, List<RuntimeChange> changes) {
        List<PoolConfig> pools = new ArrayList<>(file.pools());
        List<RuntimeChange> applied = new ArrayList<>();
        List<String> overridden = new ArrayList<>();
        List<RuntimeChange> ordered = new ArrayList<>();
        changes.stream().filter(c -> c.key().equals(RuntimeChange.ADDED) || c.key().equals(RuntimeChange.REMOVED))
                .forEach(ordered::add);
        changes.stream().filter(c -> !ordered.contains(c)).forEach(ordered::add);
        for (RuntimeChange change : ordered) {
            int index = indexOf(pools, change.pool());
            if (index < 0) {
                overridden.add("runtime change " + change + " dropped: the config has no pool " + change.pool());
                continue;
            }
            PoolConfig pool = pools.get(index);
            List<BackendConfig> backends = new ArrayList<>(pool.backends());
            BackendConfig current = find(pool, change.backend());
            String reason = null;
            switch (change.key()) {
                case RuntimeChange.ADDED -> {
                    InetSocketAddress address = parse((String) change.value());
                    if (current != null || backends.stream().anyMatch(b -> b.address().equals(address))) {
                        reason = "the config now has " + (current != null ? "a backend named " + change.backend()
                                : "a backend at " + change.value());
                    } else {
                        backends.add(new BackendConfig(change.backend(), address, (int) change.weight()));
                    }
                }
                case RuntimeChange.REMOVED -> {
                    if (current == null || !Sockets.hostPort(current.address()).equals(change.config())) {
                        reason = current == null ? "the config no longer has it"
                                : "its address in the config changed to " + Sockets.hostPort(current.address());
                    } else {
                        backends.remove(current);
                    }
                }
                case RuntimeChange.WEIGHT -> {
                    if (current == null) {
                        reason = "the config no longer has it";
                    } else if (current.weight() != (Long) change.config()) {
                        reason = "the config changed its weight " + change.config() + " -> " + current.weight();
                    } else {
                        backends.set(backends.indexOf(current), current.withWeight(((Long) change.value()).intValue()));
                    }
                }
                default -> {
                    boolean added = applied.stream().anyMatch(a -> a.key().equals(RuntimeChange.ADDED)
                            && a.target().equals(change.target()));
                    if (current == null && !added) {
                        reason = "the config no longer has it";
                    } else if (adminState(change.value()) == null) {
                        reason = "unknown admin state " + change.value();
                    }
                }
            }
            if (reason != null) {
                overridden.add("config wins over runtime change " + change + ": " + reason);
                continue;
            }
            // Every other setting kept (proxy_protocol, discovery, each backend's tier).
            pools.set(index, pool.withBackends(backends));
            applied.add(change);
        }
        return new Overlay(file.withPools(pools), List.copyOf(applied),
                List.copyOf(overridden));
    }

    /** Control thread, once the pools exist: the admin states among {@code applied}. */
    public static void applyAdminStates(Map<String, BackendPool> pools, List<RuntimeChange> applied) {
        for (RuntimeChange change : applied) {
            if (!change.key().equals(RuntimeChange.ADMIN_STATE) || !pools.containsKey(change.pool())) {
                continue;
            }
            for (Backend b : pools.get(change.pool()).snapshot().backends()) {
                if (b.name().equals(change.backend())) {
                    b.adminState(adminState(change.value()));
                }
            }
        }
    }

    private static AdminState adminState(Object name) {
        for (AdminState s : AdminState.values()) {
            if (name(s).equals(name)) {
                return s;
            }
        }
        return null;
    }

    private static String name(AdminState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    private static BackendConfig find(PoolConfig pool, String name) {
        for (BackendConfig b : pool.backends()) {
            if (b.name().equals(name)) {
                return b;
            }
        }
        return null;
    }

    private static int indexOf(List<PoolConfig> pools, String name) {
        for (int i = 0; i < pools.size(); i++) {
            if (pools.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }


    private static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        String host = text.substring(0, Math.max(colon, 0)).replace("[", "").replace("]", "");
        try {
            // Literal addresses only (format wrote them): no name lookup happens here.
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(text.substring(colon + 1)));
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw new IllegalArgumentException("bad address " + text + " in the state file");
        }
    }
}
