package lb.control;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.balance.Balancers;
import lb.config.Config;
import lb.config.ConfigException;
import lb.config.ConfigLoader;
import lb.config.DiscoveryConfig;
import lb.config.HealthConfig;
import lb.config.ListenerConfig;
import lb.config.PoolConfig;
import lb.config.Timeouts;
import lb.discovery.Discovery;
import lb.health.HealthChecker;
import lb.listen.Listener;
import lb.listen.SniRoutes;
import lb.log.RateLimitedLog;
import lb.pool.BackendPool;
import lb.protocol.ErrorCode;
import lb.protocol.RefusedException;
import lb.state.RuntimeState;
import lb.state.StateJournal;

/**
 * Control thread only. Re-reads the config file, validates it and applies the difference:
 * listeners bound, unbound or re-pointed, pools added and removed, backends added, removed and
 * re-weighted, algorithms and health settings changed. Backends whose address is unchanged keep
 * their state; open sessions are never touched (those of a removed listener, pool or backend
 * continue until they end). Everything is checked, and new sockets bound, before anything changes,
 * so a reload applies all of a file or nothing. Runtime changes (admin commands) are laid over the
 * new file; since both run on the control thread, none can slip in between capture and apply.
 */
final class Reload {

    private static final Logger LOG = LoggerFactory.getLogger(Reload.class);

    private final RunningState state;
    private final Loops loops;
    private final HealthChecker healthChecker;
    private final Discovery discovery;
    // A SIGHUP loop (or a script) over a broken or unchanged file repeats these lines as fast as it
    // sends; the audit line of each reload still records every one.
    private final RateLimitedLog failures = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private final RateLimitedLog unchanged = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));

    Reload(RunningState state, Loops loops, HealthChecker healthChecker, Discovery discovery) {
        this.state = state;
        this.loops = loops;
        this.healthChecker = healthChecker;
        this.discovery = discovery;
    }

    /** @throws RefusedException listing every problem; then nothing changed */
    List<String> apply() {
        try {
            return reloadFile();
        } catch (RefusedException e) {
            // The daemon's own log says why, whoever asked; the reply and the reload's audit line
            // say it every time.
            failures.error(System.nanoTime(), "reload failed: " + e.getMessage());
            throw e;
        }
    }

    /** The config file as it is now, with the command line's overrides. */
    Config loadFile() {
        Path file = configFile();
        try {
            return state.overrides().apply(ConfigLoader.load(file));
        } catch (ConfigException e) {
            throw new RefusedException(ErrorCode.REFUSED, "invalid config " + file + ": " + String.join("; ",
                    e.errors().stream().map(Object::toString).toList()));
        }
    }

    Path configFile() {
        return state.config().source().orElseThrow(() -> new RefusedException(ErrorCode.REFUSED,
                "no config file to reload (started with --listen or --demo)"));
    }

    private List<String> reloadFile() {
        Config config = state.config();
        Map<String, BackendPool> pools = state.pools();
        Map<String, Listener> listeners = state.listeners();
        Path file = configFile();
        Config next = loadFile();
        ReloadPlan plan = ReloadPlan.between(config, next);
        if (!plan.problems().isEmpty()) {
            throw new RefusedException(ErrorCode.REFUSED, "reload refused, nothing changed: "
                    + String.join("; ", plan.problems()));
        }
        RuntimeState.Overlay overlay = RuntimeState.applyTo(next, RuntimeState.capture(config, pools));
        Map<String, BackendPool> nextPools = new LinkedHashMap<>();
        for (PoolConfig p : overlay.config().pools()) {
            BackendPool existing = pools.get(p.name());
            nextPools.put(p.name(), existing != null ? existing : new BackendPool(p, loops.size(), Balancers::prepare));
        }
        Map<String, Listener> bound = bindAll(plan.bind(), next, nextPools);

        List<String> changes = new ArrayList<>(overlay.overridden());
        for (PoolConfig p : overlay.config().pools()) {
            BackendPool pool = nextPools.get(p.name());
            if (!pools.containsKey(p.name())) {
                changes.add("added pool " + p.name() + " (" + p.algorithm() + ", " + p.backends().size() + " backends"
                        + (p.discovery() != null ? " and those of " + p.discovery().name() : "") + ")");
                healthChecker.watch(pool);
                discovery.watch(pool);
                continue;
            }
            HealthConfig before = pool.health();
            DiscoveryConfig discoveryBefore = pool.discovery();
            changes.addAll(pool.reconfigure(p));
            if (!pool.health().equals(before)) {
                healthChecker.watch(pool);
            }
            if (!java.util.Objects.equals(pool.discovery(), discoveryBefore)) {
                discovery.watch(pool); // new settings: looked up again now (or no longer)
            }
        }
        for (String name : ReloadPlan.removedPools(config, next)) {
            BackendPool pool = pools.get(name);
            healthChecker.forget(pool);
            discovery.forget(pool);
            changes.add("removed pool " + name + " (" + pool.activeSessions() + " open session(s) continue)");
        }

        Map<String, Listener> nextListeners = new LinkedHashMap<>();
        for (ListenerConfig l : next.listeners()) {
            Listener listener = bound.get(l.name());
            if (listener == null) {
                listener = listeners.get(l.name());
                Timeouts timeouts = next.timeouts(l);
                describeReroute(listener.config(), l, !timeouts.equals(config.timeouts(listener.config())), changes);
                listener.reroute(l, nextPools.get(l.pool()), timeouts,
                        SniRoutes.of(l, next, nextPools, listener.sniRoutes()));
            } else {
                changes.add((plan.unbind().contains(l.name()) ? "moved listener " : "added listener ") + l.name()
                        + " to " + listener.boundAddressText() + " -> pool " + l.pool());
            }
            nextListeners.put(l.name(), listener);
        }
        List<Listener> closing = plan.unbind().stream().map(listeners::get).toList();
        loops.changeAcceptors(bound.values(), closing);
        for (Listener listener : closing) {
            listener.closeChannels();
            if (!nextListeners.containsKey(listener.name())) {
                changes.add("removed listener " + listener.name() + " on " + listener.boundAddressText() + " ("
                        + listener.activeSessions() + " open session(s) continue)");
            }
        }
        if (!closing.isEmpty()) {
            // A listening socket still registered with a selector is really closed (its port freed,
            // connects refused) only when that selector next deregisters it: one more pass of every
            // loop, so that the reload's reply means the old listeners are gone.
            loops.barrier();
        }
        RuntimeState.applyAdminStates(nextPools, overlay.applied()); // backends the reload created anew
        state.publish(next, nextPools, nextListeners);
        if (changes.isEmpty()) {
            unchanged.info(System.nanoTime(), "reloaded " + file + ": no change");
        } else {
            LOG.info("reloaded {}: {}", file, String.join("; ", changes)); // each change is an event: always
        }
        String problem = StateJournal.save(next, nextPools);
        if (problem != null) {
            changes.add("warning: " + problem);
        }
        return changes;
    }

    /**
     * Binds the listeners a reload adds or moves; if one fails, closes those already bound and
     * refuses the reload (nothing has changed yet).
     */
    private Map<String, Listener> bindAll(List<ListenerConfig> toBind, Config next, Map<String, BackendPool> nextPools) {
        Map<String, Listener> bound = new LinkedHashMap<>();
        try {
            for (ListenerConfig l : toBind) {
                Listener moved = state.listeners().get(l.name()); // a listener that moves keeps its routes' counts
                bound.put(l.name(), Listener.bind(l, nextPools.get(l.pool()), next.timeouts(l),
                        SniRoutes.of(l, next, nextPools, moved != null ? moved.sniRoutes() : null), loops.size()));
            }
            return bound;
        } catch (IOException e) {
            for (Listener listener : bound.values()) {
                listener.closeChannels();
            }
            throw new RefusedException(ErrorCode.REFUSED, "reload refused, nothing changed: " + e.getMessage());
        }
    }

    private static void describeReroute(ListenerConfig old, ListenerConfig l, boolean timeoutsChanged,
                                        List<String> changes) {
        if (!java.util.Objects.equals(old.pool(), l.pool())) {
            changes.add("listener " + l.name() + ": pool " + old.pool() + " -> " + l.pool() + " (for new sessions)");
        }
        if (!java.util.Objects.equals(old.sni(), l.sni())) {
            changes.add("listener " + l.name() + ": routes by server name changed (for new sessions)");
        }
        if (old.maxConnections() != l.maxConnections()) {
            changes.add("listener " + l.name() + ": max_connections " + old.maxConnections() + " -> " + l.maxConnections());
        }
        if (timeoutsChanged) {
            changes.add("listener " + l.name() + ": timeouts changed (open sessions too)");
        }
        if (!old.socket().equals(l.socket())) {
            changes.add("listener " + l.name() + ": socket options changed (for new sessions)");
        }
    }
}
