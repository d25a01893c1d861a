package lb.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import lb.config.BackendConfig;
import lb.config.BalancerOptions;
import lb.config.DiscoveryConfig;
import lb.config.HealthConfig;
import lb.config.PoolConfig;
import lb.config.ProxyProtocolSend;
import lb.config.Tiers;

/**
 * Any thread reads; control threads write. A named set of backends and how to pick among them.
 * Writers copy, change and publish a new {@link PoolSnapshot} under this object's lock; event loops
 * read the volatile snapshot and never lock.
 */
public final class BackendPool {

    private final String name;
    private volatile int retries;
    private final int loops;
    private final BalancerFactory balancers;
    // Guarded by this object's lock (writers publish snapshots under it).
    private BalancerOptions options;
    private volatile HealthConfig health;
    private volatile ProxyProtocolSend proxyProtocol;
    private final PoolHealth poolHealth;
    // Written by the control thread (reload); the discovery thread reads it when it (re)starts a pool.
    private volatile DiscoveryConfig discovery;
    private final DiscoveryState discoveryState = new DiscoveryState();
    private volatile PoolSnapshot snapshot;
    private final AtomicLong sessionsRefused = new AtomicLong();

    /**
     * @param loops     event loops that pick from it (each gets its own balancer per snapshot)
     * @param balancers builds each snapshot's balancers ({@code lb.balance.Balancers::prepare})
     */
    public BackendPool(PoolConfig config, int loops, BalancerFactory balancers) {
        this.name = config.name();
        this.retries = config.retries();
        this.loops = loops;
        this.balancers = balancers;
        this.options = config.balancerOptions();
        this.health = config.health();
        this.proxyProtocol = config.proxyProtocol();
        this.poolHealth = new PoolHealth(health.slowStart().toNanos());
        this.discovery = config.discovery();
        List<Backend> backends = new ArrayList<>();
        for (BackendConfig b : config.backends()) {
            backends.add(newBackend(b));
        }
        this.snapshot = new PoolSnapshot(this, backends, config.algorithm(), options, loops, balancers);
    }

    public String name() {
        return name;
    }

    /** Active and passive checks, panic threshold, slow start. */
    public HealthConfig health() {
        return health;
    }

    public PoolHealth poolHealth() {
        return poolHealth;
    }

    /** The PROXY protocol header a backend connection starts with (read once per session). */
    public ProxyProtocolSend proxyProtocol() {
        return proxyProtocol;
    }

    /** Where the pool finds more backends in DNS ({@code [pool.discovery]}), or null. */
    public DiscoveryConfig discovery() {
        return discovery;
    }

    /** How its DNS discovery is doing (meaningful only with {@link #discovery()}). */
    public DiscoveryState discoveryState() {
        return discoveryState;
    }

    /** How many other backends a session tries after a failed connect. */
    public int retries() {
        return retries;
    }

    /** The current version; loops call this once per new session. */
    public PoolSnapshot snapshot() {
        return snapshot;
    }

    /** Control thread: publish the same backends under a new algorithm. */
    public synchronized void algorithm(String algorithm) {
        PoolSnapshot current = snapshot;
        snapshot = new PoolSnapshot(this, current.backends(), algorithm, options, loops, balancers);
    }

    /** Control thread: publish a new snapshot after a backend's weight or state changed. */
    private Backend newBackend(BackendConfig b) {
        Backend backend = new Backend(b.name(), b.address(), b.weight(), b.maxConnections(), b.tier(), poolHealth,
                loops);
        if (health.active() != null && !health.active().initialUp()) {
            backend.healthState(HealthState.DOWN); // not used until its first probe passes
            backend.awaitFirstCheck();
        }
        return backend;
    }

    /**
     * Control thread (reload): {@code old}'s server under {@code config}'s name: its health as it was
     * (a rename does not take a server out of rotation or ramp it), the rest from the config.
     */
    private Backend renamed(Backend old, BackendConfig config) {
        Backend backend = new Backend(config.name(), config.address(), config.weight(), config.maxConnections(),
                config.tier(), poolHealth, loops);
        backend.healthState(old.healthState());
        backend.adminState(old.adminState()); // a drained or disabled server stays out while it is renamed
        if (old.awaitingFirstCheck()) {
            backend.awaitFirstCheck();
        }
        return backend;
    }

    /**
     * Control thread: adds a backend and publishes the new set (health tasks pick it up on their
     * next pass; with active checks it waits for its first probe like any other). With slow start
     * it ramps like a backend coming back: from now, or from its first passing probe.
     *
     * @throws IllegalArgumentException when the name or the address is already in the pool
     */
    public synchronized Backend add(BackendConfig config) {
        for (Backend b : snapshot.backends()) {
            if (b.name().equals(config.name())) {
                throw new IllegalArgumentException("pool " + name + " already has a backend named \"" + config.name() + "\"");
            }
            if (b.address().equals(config.address())) {
                throw new IllegalArgumentException("pool " + name + " already has backend " + b.name() + " at that address");
            }
        }
        Backend backend = newBackend(config);
        backend.joinRunningPool(System.nanoTime()); // before the snapshot that publishes it
        List<Backend> backends = new ArrayList<>(snapshot.backends());
        backends.add(backend);
        snapshot = new PoolSnapshot(this, backends, snapshot.algorithm(), options, loops, balancers);
        return backend;
    }

    /** Control thread: takes {@code backend} out of the set; its open sessions are not touched. */
    public synchronized boolean remove(Backend backend) {
        List<Backend> backends = new ArrayList<>(snapshot.backends());
        if (!backends.remove(backend)) {
            return false;
        }
        snapshot = new PoolSnapshot(this, backends, snapshot.algorithm(), options, loops, balancers);
        return true;
    }

    /**
     * Control thread (reload): applies a new config of this pool. Backends whose address is
     * unchanged keep their state (health, ejection, sessions, counters) and take the new weight
     * and limit; new addresses become new backends (which ramp with slow start, as added ones do);
     * missing ones leave the pool (their open sessions continue). A backend whose address stays but
     * whose name changes is renamed: it becomes a new backend of that name at that address, UP or
     * DOWN, active, drained or disabled as the old one was, without a ramp (the same server); the old one leaves the pool
     * (its open sessions continue on it). The hashing algorithms order backends by name, so only a
     * rename gives every host of a fleet, reloaded or freshly started, the same table. New health
     * settings are stored here; the caller hands the pool to the health checker to rebuild its
     * tasks. Returns one line per change.
     */
    public synchronized List<String> reconfigure(PoolConfig config) {
        List<String> changes = new ArrayList<>();
        PoolSnapshot current = snapshot;
        // First, so that backends added below start as the new checks want (DOWN until probed).
        if (!config.health().equals(health)) {
            changes.add("pool " + name + ": health settings changed (checks restart)");
            health = config.health();
        }
        List<Backend> next = new ArrayList<>();
        List<Backend> renamedFrom = new ArrayList<>();
        for (BackendConfig b : config.backends()) {
            Backend kept = null;
            for (Backend existing : current.backends()) {
                if (existing.address().equals(b.address())) {
                    kept = existing;
                }
            }
            if (kept != null && kept.discovered()) {
                // The file lists an address DNS gave: the file's backend from now on (kept, with its state).
                kept.discovered(false);
                if (kept.goneFromDns() && kept.adminState() == AdminState.DRAINING) {
                    kept.adminState(AdminState.ACTIVE);
                }
                kept.goneFromDns(false);
                changes.add("pool " + name + ": discovered backend " + kept.name() + " is now listed in the file");
            }
            if (kept == null) {
                Backend added = newBackend(b);
                added.joinRunningPool(System.nanoTime()); // slow start, as for add-backend
                next.add(added);
                changes.add("pool " + name + ": added backend " + b.name());
                continue;
            }
            if (!kept.name().equals(b.name())) {
                next.add(renamed(kept, b));
                renamedFrom.add(kept);
                changes.add("pool " + name + ": backend " + kept.name() + " renamed " + b.name() + " ("
                        + kept.activeSessions() + " open session(s) continue under the old name)");
                continue;
            }
            if (kept.weight() != b.weight()) {
                changes.add("pool " + name + ": backend " + kept.name() + " weight " + kept.weight() + " -> " + b.weight());
                kept.weight(b.weight());
            }
            if (kept.tier() != b.tier()) {
                changes.add("pool " + name + ": backend " + kept.name() + " tier " + Tiers.describe(kept.tier()) + " -> "
                        + Tiers.describe(b.tier()));
                kept.tier(b.tier()); // the snapshot published below groups it anew
            }
            if (kept.maxConnections() != b.maxConnections()) {
                changes.add("pool " + name + ": backend " + kept.name() + " max_connections " + kept.maxConnections()
                        + " -> " + b.maxConnections());
                kept.maxConnections(b.maxConnections());
            }
            next.add(kept);
        }
        // Discovered backends stay while the pool still discovers: DNS, not the file, says when they go.
        for (Backend existing : current.backends()) {
            if (existing.discovered() && config.discovery() != null && !next.contains(existing)) {
                next.add(existing);
            }
        }
        if (!java.util.Objects.equals(config.discovery(), discovery)) {
            changes.add("pool " + name + ": " + (discovery == null ? "discovery on (" + config.discovery().name() + ")"
                    : config.discovery() == null ? "discovery off: its backends leave the pool"
                    : "discovery settings changed (looked up again now)"));
            discovery = config.discovery();
        }
        for (Backend existing : current.backends()) {
            if (!next.contains(existing) && !renamedFrom.contains(existing)) {
                changes.add("pool " + name + ": removed backend " + existing.name() + " (" + existing.activeSessions()
                        + " open session(s) continue)");
            }
        }
        if (!config.algorithm().equals(current.algorithm())) {
            changes.add("pool " + name + ": algorithm " + current.algorithm() + " -> " + config.algorithm());
        }
        if (!config.balancerOptions().equals(options)) {
            changes.add("pool " + name + ": balancer options changed");
            options = config.balancerOptions();
        }
        if (config.proxyProtocol() != proxyProtocol) {
            changes.add("pool " + name + ": proxy_protocol " + proxyProtocol.configName() + " -> "
                    + config.proxyProtocol().configName() + " (for new sessions)");
            proxyProtocol = config.proxyProtocol();
        }
        if (config.retries() != retries) {
            changes.add("pool " + name + ": retries " + retries + " -> " + config.retries());
            retries = config.retries();
        }
        snapshot = new PoolSnapshot(this, next, config.algorithm(), options, loops, balancers);
        return changes;
    }

    /**
     * What a DNS answer changed in the pool: one line per change, the records left out because they
     * clash with a backend the pool has for another reason, and whether some discovered backend is
     * now draining to leave.
     */
    public record DiscoveryChanges(List<String> changes, List<String> conflicts, boolean draining) {
    }

    /**
     * Control thread: makes the pool's discovered backends those {@code wanted} (the last good DNS
     * answer). A new address becomes a new backend as with add-backend (with active checks it waits
     * for its first probe; with slow start it ramps); a known one takes the record's weight and tier,
     * and if it was leaving, comes back (active again); a discovered backend the answer no longer has
     * is drained (its open sessions go on) and leaves the pool once it has none ({@link #sweepGone}).
     * Backends of the file or of add-backend are never touched: a record at one of their addresses,
     * or with one of their names, is left out. Publishes a snapshot only when something changed, so
     * an unchanged answer costs the loops nothing.
     */
    public synchronized DiscoveryChanges applyDiscovered(List<BackendConfig> wanted) {
        List<String> changes = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        List<Backend> backends = new ArrayList<>(snapshot.backends());
        boolean republish = false;
        java.util.Set<Backend> keep = new java.util.HashSet<>();
        for (BackendConfig want : wanted) {
            Backend at = null;
            Backend named = null;
            for (Backend b : backends) {
                if (b.address().equals(want.address())) {
                    at = b;
                }
                if (b.name().equals(want.name())) {
                    named = b;
                }
            }
            if (at != null && !at.discovered()) {
                conflicts.add(want.name() + ": the pool has backend " + at.name() + " at that address");
                continue;
            }
            if (at == null && named != null) {
                conflicts.add(want.name() + ": the pool has a backend of that name at " + named.address());
                continue;
            }
            if (at == null) {
                Backend added = newBackend(want);
                added.discovered(true);
                added.joinRunningPool(System.nanoTime()); // slow start, as for add-backend
                backends.add(added);
                keep.add(added);
                republish = true;
                changes.add("added backend " + want.name() + " weight " + want.weight() + " tier "
                        + Tiers.describe(want.tier()));
                continue;
            }
            keep.add(at);
            if (at.goneFromDns()) {
                at.goneFromDns(false);
                if (at.adminState() == AdminState.DRAINING) {
                    at.adminState(AdminState.ACTIVE);
                }
                changes.add("backend " + at.name() + " is back in DNS: " + at.adminState().name().toLowerCase(
                        java.util.Locale.ROOT));
            }
            if (at.weight() != want.weight()) {
                changes.add("backend " + at.name() + " weight " + at.weight() + " -> " + want.weight());
                at.weight(want.weight());
                republish = true;
            }
            if (at.tier() != want.tier()) {
                changes.add("backend " + at.name() + " tier " + Tiers.describe(at.tier()) + " -> "
                        + Tiers.describe(want.tier()));
                at.tier(want.tier());
                republish = true;
            }
        }
        boolean draining = false;
        for (Backend b : backends) {
            if (!b.discovered() || keep.contains(b)) {
                continue;
            }
            if (!b.goneFromDns()) {
                b.goneFromDns(true);
                changes.add("backend " + b.name() + " is gone from DNS: draining (" + b.activeSessions()
                        + " open session(s) go on), then it leaves the pool");
            }
            // Written before a loop reads the count in tryPlace, as a drain does: no session lands after.
            if (b.adminState() == AdminState.ACTIVE) {
                b.adminState(AdminState.DRAINING);
            }
            draining = true;
        }
        if (republish) {
            snapshot = new PoolSnapshot(this, backends, snapshot.algorithm(), options, loops, balancers);
        }
        return new DiscoveryChanges(changes, conflicts, draining);
    }

    /**
     * Control thread: takes out of the pool the discovered backends DNS dropped that have no session
     * left (and that no operator made active again). Returns their names; publishes only if any.
     */
    public synchronized List<String> sweepGone() {
        List<String> removed = new ArrayList<>();
        List<Backend> backends = new ArrayList<>(snapshot.backends());
        for (java.util.Iterator<Backend> it = backends.iterator(); it.hasNext(); ) {
            Backend b = it.next();
            if (b.discovered() && b.goneFromDns() && b.adminState() != AdminState.ACTIVE && b.activeSessions() == 0) {
                it.remove();
                removed.add(b.name());
            }
        }
        if (!removed.isEmpty()) {
            snapshot = new PoolSnapshot(this, backends, snapshot.algorithm(), options, loops, balancers);
        }
        return removed;
    }

    /** Whether some discovered backend DNS dropped is still in the pool (draining). */
    public boolean hasGone() {
        for (Backend b : snapshot.backends()) {
            if (b.discovered() && b.goneFromDns()) {
                return true;
            }
        }
        return false;
    }

    /** Control thread: the snapshot this pool would have without {@code backend}, not published (previews). */
    public synchronized PoolSnapshot without(Backend backend) {
        List<Backend> backends = new ArrayList<>(snapshot.backends());
        backends.remove(backend);
        return new PoolSnapshot(this, backends, snapshot.algorithm(), options, loops, balancers);
    }

    public synchronized void republish() {
        PoolSnapshot current = snapshot;
        snapshot = new PoolSnapshot(this, current.backends(), current.algorithm(), options, loops, balancers);
    }

    /** Event loop: a client was closed because no backend could take it (none eligible, or all at their limit). */
    public void onSessionRefused() {
        sessionsRefused.incrementAndGet();
    }

    /** Clients closed because no backend could take them. */
    public long sessionsRefused() {
        return sessionsRefused.get();
    }

    /** Sum of active sessions over the current backends. */
    public int activeSessions() {
        int total = 0;
        for (Backend b : snapshot.backends()) {
            total += b.activeSessions();
        }
        return total;
    }

    @Override
    public String toString() {
        return "pool " + name;
    }
}
