package lb.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import lb.config.BackendConfig;
import lb.config.BalancerOptions;
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
     * missing ones leave the pool (their open sessions continue). New health settings are stored
     * here; the caller hands the pool to the health checker to rebuild its tasks. Returns one line
     * per change.
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
        for (BackendConfig b : config.backends()) {
            Backend kept = null;
            for (Backend existing : current.backends()) {
                if (existing.address().equals(b.address())) {
                    kept = existing;
                }
            }
            if (kept == null) {
                Backend added = newBackend(b);
                added.joinRunningPool(System.nanoTime()); // slow start, as for add-backend
                next.add(added);
                changes.add("pool " + name + ": added backend " + b.name());
                continue;
            }
            if (!kept.name().equals(b.name())) {
                changes.add("pool " + name + ": backend " + kept.name() + " keeps its name (renaming "
                        + b.name() + " needs remove and add)");
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
        for (Backend existing : current.backends()) {
            if (!next.contains(existing)) {
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
