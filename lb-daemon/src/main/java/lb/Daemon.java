package lb;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.balance.Balancers;
import lb.config.Config;
import lb.config.ConfigLoader;
import lb.config.DaemonConfig;
import lb.config.ConfigException;
import lb.config.HealthConfig;
import lb.config.ListenerConfig;
import lb.config.PoolConfig;
import lb.config.Timeouts;
import lb.listen.Acceptor;
import lb.listen.Listener;
import lb.loop.EventLoop;
import lb.loop.NanoClock;
import lb.admin.AdminCommands;
import lb.admin.AdminServer;
import lb.admin.DaemonControl;
import lb.health.HealthChecker;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.session.LoopSessions;
import lb.session.SessionInfo;
import lb.session.StatsRing;
import lb.session.Termination;
import lb.stats.MetricsServer;
import lb.stats.StatsAggregator;
import lb.state.RuntimeChange;
import lb.state.RuntimeState;
import lb.state.StateFile;

/**
 * Any thread. A running daemon: its event loops, listeners and pools. Wires threads together and
 * owns the lifecycle; the data path lives in the loops, which this class reaches only by
 * submitting tasks.
 */
public final class Daemon implements AutoCloseable, DaemonControl {

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    private static final Duration LOOP_TASK_TIMEOUT = Duration.ofSeconds(5);

    // The config file as loaded (runtime changes are laid over its pools); reload replaces it under
    // this object's lock, others read it.
    private volatile Config config;
    // What a reload does to a freshly loaded file before using it (command-line overrides).
    private UnaryOperator<Config> overrides = UnaryOperator.identity();
    private final EventLoop[] loops;
    private final LoopSessions[] sessions;
    // Per loop, touched only on that loop's thread (reloads add and remove through loop tasks).
    private final List<List<Acceptor>> acceptors;
    // Unmodifiable; a reload publishes new maps.
    private volatile Map<String, BackendPool> pools;
    private volatile Map<String, Listener> listeners;
    private HealthChecker healthChecker;
    private StatsAggregator statsAggregator;
    private MetricsServer metricsServer;
    private AdminServer adminServer;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean shutdownStarted;
    private boolean shutdownClean;

    private Daemon(Config config, EventLoop[] loops, LoopSessions[] sessions, List<List<Acceptor>> acceptors,
                   Map<String, BackendPool> pools, Map<String, Listener> listeners) {
        this.config = config;
        this.loops = loops;
        this.sessions = sessions;
        this.acceptors = acceptors;
        this.pools = Collections.unmodifiableMap(new LinkedHashMap<>(pools));
        this.listeners = Collections.unmodifiableMap(new LinkedHashMap<>(listeners));
    }

    /** Binds every listener and starts the event loops; on failure nothing is left running. */
    public static Daemon start(Config config) throws IOException {
        return start(config, UnaryOperator.identity());
    }

    /**
     * As {@link #start(Config)}, with what reloads apply to the re-read file ({@code config} has had
     * it applied already): settings the command line overrides.
     */
    public static Daemon start(Config config, UnaryOperator<Config> overrides) throws IOException {
        return start(config, overrides, StatsRing.DEFAULT_SLOTS);
    }

    /** With {@code ringSlots} session events per loop's stats ring (tests: a ring that fills up). */
    static Daemon start(Config config, UnaryOperator<Config> overrides, int ringSlots) throws IOException {
        RuntimeState.Overlay overlay = readState(config);
        int workers = config.daemon().workers();
        EventLoop[] loops = new EventLoop[workers];
        LoopSessions[] sessions = new LoopSessions[workers];
        Map<String, BackendPool> pools = new LinkedHashMap<>();
        Map<String, Listener> listeners = new LinkedHashMap<>();
        try {
            DaemonConfig d = config.daemon();
            boolean events = d.stats() || d.accessLog();
            StatsRing[] rings = new StatsRing[events ? workers : 0];
            for (int i = 0; i < workers; i++) {
                loops[i] = new EventLoop(i, NanoClock.SYSTEM, d.bufferSize(), d.bufferPoolMax());
                if (events) {
                    rings[i] = new StatsRing(ringSlots);
                }
                sessions[i] = new LoopSessions(events ? rings[i] : null, d.stats());
            }
            for (PoolConfig poolConfig : overlay.config().pools()) {
                pools.put(poolConfig.name(), new BackendPool(poolConfig, workers, Balancers::prepare));
            }
            RuntimeState.applyAdminStates(pools, overlay.applied());
            for (ListenerConfig listenerConfig : config.listeners()) {
                listeners.put(listenerConfig.name(), Listener.bind(listenerConfig, pools.get(listenerConfig.pool()),
                        timeouts(config, listenerConfig), workers));
            }
            List<List<Acceptor>> acceptors = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                List<Acceptor> loopAcceptors = new ArrayList<>();
                for (Listener listener : listeners.values()) {
                    loopAcceptors.add(Acceptor.register(listener, loops[i], sessions[i]));
                }
                acceptors.add(loopAcceptors);
            }
            Daemon daemon = new Daemon(config, loops, sessions, acceptors, pools, listeners);
            daemon.overrides = overrides;
            daemon.statsAggregator = StatsAggregator.start(rings, daemon, d.stats(), d.accessLog());
            if (config.metrics().listen() != null) {
                try {
                    daemon.metricsServer = MetricsServer.start(config.metrics(), daemon.statsAggregator);
                } catch (IOException e) {
                    daemon.statsAggregator.close();
                    throw e;
                }
            }
            // Before the loops start, so that a backend's first probe runs as early as possible.
            daemon.healthChecker = HealthChecker.start(pools.values());
            Path socket = config.daemon().adminSocket();
            if (socket != null) {
                try {
                    daemon.adminServer = AdminServer.start(socket, config.daemon().adminSocketGroup(),
                            new AdminCommands(daemon, System.nanoTime()));
                } catch (IOException e) {
                    daemon.healthChecker.close();
                    daemon.statsAggregator.close();
                    if (daemon.metricsServer != null) {
                        daemon.metricsServer.close();
                    }
                    throw e;
                }
            }
            for (EventLoop loop : loops) {
                loop.start();
            }
            daemon.logStartup();
            daemon.warnIfDirectMemoryIsShort();
            if (!overlay.overridden().isEmpty()) {
                String problem = daemon.saveState(); // without the changes the file won over
                if (problem != null) {
                    LOG.error(problem);
                }
            }
            return daemon;
        } catch (IOException | RuntimeException e) {
            for (Listener listener : listeners.values()) {
                listener.closeChannels();
            }
            for (EventLoop loop : loops) {
                if (loop != null) {
                    loop.selector().close();
                }
            }
            throw e;
        }
    }

    /**
     * The runtime changes journaled in the state file, laid over {@code config}. A state file that
     * cannot be read is set aside (renamed *.bad) and the daemon starts from the config file alone:
     * a damaged journal must not keep a load balancer down.
     */
    private static RuntimeState.Overlay readState(Config config) {
        Path file = config.daemon().stateFile();
        List<RuntimeChange> changes = List.of();
        if (file != null) {
            try {
                changes = StateFile.read(file);
            } catch (IOException e) {
                Path aside = file.resolveSibling(file.getFileName() + ".bad");
                LOG.error("cannot use state file {} ({}); starting from the config file alone, the state file is "
                        + "moved to {}", file, e.getMessage(), aside);
                try {
                    Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException moveFailed) {
                    LOG.error("cannot move {} aside: {}", file, moveFailed.toString());
                }
            }
        }
        RuntimeState.Overlay overlay = RuntimeState.applyTo(config, changes);
        for (RuntimeChange applied : overlay.applied()) {
            LOG.info("runtime change from {} applied: {}", file, applied);
        }
        for (String overridden : overlay.overridden()) {
            LOG.warn(overridden);
        }
        return overlay;
    }

    /** A listener's timeouts, as its pool overrides them. */
    private static Timeouts timeouts(Config config, ListenerConfig listener) {
        PoolConfig pool = config.pool(listener.pool());
        return listener.timeouts().overriddenBy(pool.connectTimeout(), pool.idleTimeout(), pool.halfCloseTimeout());
    }

    /**
     * Relay buffers are direct memory, which the JVM caps (-XX:MaxDirectMemorySize, by default
     * the maximum heap). Pools that could outgrow the cap still work (a pool that cannot allocate
     * makes sessions wait, as at its bound), but the operator should know the real bound.
     */
    private void warnIfDirectMemoryIsShort() {
        long needed = pooledBytesMax() + (long) loops.length * config.daemon().bufferSize();
        long limit = directMemoryLimit();
        if (limit > 0 && needed > limit) {
            LOG.warn("buffer pools may need {} MiB of direct memory ({} loop(s) x buffer_pool_max) but the JVM allows "
                    + "{} MiB: raise -XX:MaxDirectMemorySize or lower daemon.buffer_pool_max", needed >> 20,
                    loops.length, limit >> 20);
        }
    }

    private static long directMemoryLimit() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean hotspot = java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            long configured = Long.parseLong(hotspot.getVMOption("MaxDirectMemorySize").getValue());
            return configured > 0 ? configured : Runtime.getRuntime().maxMemory();
        } catch (RuntimeException e) {
            return -1; // not HotSpot, or the option is unknown: nothing to compare against
        }
    }

    private void logStartup() {
        for (Listener listener : listeners.values()) {
            BackendPool pool = listener.pool();
            LOG.info("listener \"{}\" on {} -> pool \"{}\" ({}, {} backends, accept {})", listener.name(),
                    listener.boundAddressText(), pool.name(), pool.snapshot().algorithm(), pool.snapshot().size(),
                    listener.config().acceptMode().configName());
        }
        LOG.info("lb-daemon {} ready: {} listener(s), {} pool(s), {} event loop(s){}", Version.text(), listeners.size(),
                pools.size(), loops.length, config.source().map(p -> ", config " + p).orElse(""));
    }

    public Config config() {
        return config;
    }

    /** The address a listener is bound to (the real port when the config asked for port 0). */
    public InetSocketAddress listenerAddress(String listenerName) {
        Listener listener = listeners.get(listenerName);
        if (listener == null) {
            throw new IllegalArgumentException("no listener named " + listenerName);
        }
        return listener.boundAddress();
    }

    /** The runtime pool of that name, or null. */
    public BackendPool pool(String name) {
        return pools.get(name);
    }

    @Override
    public Map<String, BackendPool> pools() {
        return pools;
    }

    @Override
    public Map<String, Listener> listeners() {
        return listeners;
    }

    /** Sessions open now, over all loops. */
    public int activeSessions() {
        int total = 0;
        for (LoopSessions loopSessions : sessions) {
            total += loopSessions.size();
        }
        return total;
    }

    /** Bytes of pending (pooled) buffers lent out now, over all loops. */
    public long pooledBytesInUse() {
        long total = 0;
        for (EventLoop loop : loops) {
            total += loop.pooledBytesInUse();
        }
        return total;
    }

    /** Upper bound of {@link #pooledBytesInUse()}: the pool limit times the number of loops. */
    public long pooledBytesMax() {
        long total = 0;
        for (EventLoop loop : loops) {
            total += loop.buffers().maxBytes();
        }
        return total;
    }

    /**
     * Stops accepting, lets open sessions finish for up to {@code grace}, closes the rest and stops
     * the loops. Returns true when every session ended by itself within the grace period. Later
     * calls wait for the first one to finish and return its result.
     */
    public boolean shutdown(Duration grace) {
        synchronized (this) {
            if (shutdownStarted) {
                awaitStopped();
                return shutdownClean;
            }
            shutdownStarted = true;
        }
        onEveryLoop("stop accepting", i -> {
            for (Acceptor acceptor : acceptors.get(i)) {
                acceptor.close();
            }
        });
        for (Listener listener : listeners.values()) {
            listener.closeChannels();
        }
        long deadlineNs = System.nanoTime() + grace.toNanos();
        int open = activeSessions();
        if (open > 0) {
            LOG.info("stopped accepting; waiting up to {} ms for {} open session(s)", grace.toMillis(), open);
        }
        while (activeSessions() > 0 && System.nanoTime() < deadlineNs) {
            // A control thread waiting for loops to drain: a coarse poll is fine off the data path.
            sleepQuietly(10);
        }
        boolean clean = activeSessions() == 0;
        if (!clean) {
            LOG.info("shutdown grace over: closing {} session(s)", activeSessions());
            onEveryLoop("close sessions", i -> sessions[i].closeAll(Termination.SHUTDOWN));
        }
        if (adminServer != null) {
            adminServer.close();
        }
        healthChecker.close();
        for (EventLoop loop : loops) {
            loop.stop();
        }
        for (EventLoop loop : loops) {
            try {
                if (!loop.awaitTermination(LOOP_TASK_TIMEOUT)) {
                    LOG.warn("{} did not stop within {} ms", loop.name(), LOOP_TASK_TIMEOUT.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        statsAggregator.close(); // after the loops: the last sessions' access-log lines are written
        synchronized (this) {
            shutdownClean = clean;
        }
        stopped.countDown();
        LOG.info("stopped ({})", clean ? "every session finished" : "sessions closed at the end of the grace period");
        return clean;
    }

    /** Immediate shutdown: open sessions are closed at once. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    /**
     * Any thread: closes (with RST) every open session placed on {@code backend}, on each loop,
     * and waits (bounded) until every loop did; returns how many were closed.
     */
    @Override
    public int closeSessionsOn(Backend backend) {
        AtomicInteger closed = new AtomicInteger();
        onEveryLoop("close sessions on " + backend, i -> closed.addAndGet(sessions[i].closeOn(backend,
                Termination.ADMIN_CLOSE)));
        return closed.get();
    }

    /**
     * Any thread: up to {@code limit} open sessions (on {@code backend}, or all when null), copied
     * by each loop on its own thread, oldest first.
     */
    @Override
    public SessionList sessions(Backend backend, int limit) {
        List<SessionInfo> found = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger matched = new AtomicInteger();
        onEveryLoop("list sessions", i -> {
            List<SessionInfo> mine = new ArrayList<>();
            matched.addAndGet(sessions[i].list(backend, limit, mine, loops[i].nowNs()));
            found.addAll(mine);
        });
        List<SessionInfo> all;
        synchronized (found) {
            all = new ArrayList<>(found);
        }
        all.sort(Comparator.comparingLong(SessionInfo::ageMs).reversed());
        return new SessionList(List.copyOf(all.subList(0, Math.min(limit, all.size()))), matched.get());
    }

    /**
     * Any thread (reloads are serialized): re-reads the config file, validates it and applies the
     * difference: listeners bound, unbound or re-pointed, pools added and removed, backends added,
     * removed and re-weighted, algorithms and health settings changed. Backends whose address is
     * unchanged keep their state; open sessions are never touched (those of a removed listener,
     * pool or backend continue until they end). Everything is checked, and new sockets bound,
     * before anything changes, so a reload applies all of a file or nothing.
     *
     * @throws IllegalArgumentException listing every problem; then nothing changed
     */
    @Override
    public synchronized List<String> reload() {
        try {
            return reloadFile();
        } catch (IllegalArgumentException e) {
            LOG.error("reload failed: {}", e.getMessage()); // the daemon's own log says why, whoever asked
            throw e;
        }
    }

    private List<String> reloadFile() {
        if (shutdownStarted) {
            throw new IllegalArgumentException("shutting down: no reload");
        }
        Path file = config.source().orElseThrow(() -> new IllegalArgumentException(
                "no config file to reload (started with --listen or --demo)"));
        Config next = loadForReload(file);
        ReloadPlan plan = ReloadPlan.between(config, next);
        if (!plan.problems().isEmpty()) {
            throw new IllegalArgumentException("reload refused, nothing changed: " + String.join("; ", plan.problems()));
        }
        RuntimeState.Overlay overlay = RuntimeState.applyTo(next, RuntimeState.capture(config, pools));
        Map<String, BackendPool> nextPools = new LinkedHashMap<>();
        for (PoolConfig p : overlay.config().pools()) {
            BackendPool existing = pools.get(p.name());
            nextPools.put(p.name(), existing != null ? existing : new BackendPool(p, loops.length, Balancers::prepare));
        }
        Map<String, Listener> bound = bindAll(plan.bind(), next, nextPools);

        List<String> changes = new ArrayList<>(overlay.overridden());
        for (PoolConfig p : overlay.config().pools()) {
            BackendPool pool = nextPools.get(p.name());
            if (!pools.containsKey(p.name())) {
                changes.add("added pool " + p.name() + " (" + p.algorithm() + ", " + p.backends().size() + " backends)");
                healthChecker.watch(pool);
                continue;
            }
            HealthConfig before = pool.health();
            changes.addAll(pool.reconfigure(p));
            if (!pool.health().equals(before)) {
                healthChecker.watch(pool);
            }
        }
        for (String name : ReloadPlan.removedPools(config, next)) {
            BackendPool pool = pools.get(name);
            healthChecker.forget(pool);
            changes.add("removed pool " + name + " (" + pool.activeSessions() + " open session(s) continue)");
        }
        pools = Collections.unmodifiableMap(nextPools);

        Map<String, Listener> nextListeners = new LinkedHashMap<>();
        for (ListenerConfig l : next.listeners()) {
            Listener listener = bound.get(l.name());
            if (listener == null) {
                listener = listeners.get(l.name());
                Timeouts timeouts = timeouts(next, l);
                describeReroute(listener.config(), l, !timeouts.equals(timeouts(config, listener.config())), changes);
                listener.reroute(l, nextPools.get(l.pool()), timeouts);
            } else {
                changes.add((plan.unbind().contains(l.name()) ? "moved listener " : "added listener ") + l.name()
                        + " to " + listener.boundAddressText() + " -> pool " + l.pool());
            }
            nextListeners.put(l.name(), listener);
        }
        List<Listener> closing = plan.unbind().stream().map(listeners::get).toList();
        onEveryLoop("start accepting", i -> {
            for (Listener listener : bound.values()) {
                try {
                    acceptors.get(i).add(Acceptor.register(listener, loops[i], sessions[i]));
                } catch (IOException e) {
                    LOG.error("{}: cannot accept from listener {}: {}", loops[i].name(), listener.name(), e.toString());
                }
            }
            acceptors.get(i).removeIf(acceptor -> {
                if (closing.contains(acceptor.listener())) {
                    acceptor.close();
                    return true;
                }
                return false;
            });
        });
        for (Listener listener : closing) {
            listener.closeChannels();
            if (!nextListeners.containsKey(listener.name())) {
                changes.add("removed listener " + listener.name() + " on " + listener.boundAddressText() + " ("
                        + listener.activeSessions() + " open session(s) continue)");
            }
        }
        listeners = Collections.unmodifiableMap(nextListeners);
        RuntimeState.applyAdminStates(nextPools, overlay.applied()); // backends the reload created anew
        config = next;
        LOG.info("reloaded {}: {}", file, changes.isEmpty() ? "no change" : String.join("; ", changes));
        String problem = saveState();
        if (problem != null) {
            LOG.error(problem);
            changes.add("warning: " + problem);
        }
        return changes;
    }

    private Config loadForReload(Path file) {
        try {
            return overrides.apply(ConfigLoader.load(file));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid config " + file + ": " + String.join("; ",
                    e.errors().stream().map(Object::toString).toList()));
        }
    }

    /** Any thread (serialized with reloads): journals the runtime changes, when there is a state file. */
    @Override
    public synchronized String saveState() {
        Path file = config.daemon().stateFile();
        if (file == null) {
            return null;
        }
        try {
            StateFile.write(file, RuntimeState.capture(config, pools));
            return null;
        } catch (IOException e) {
            String problem = "cannot write state file " + file + " (" + e + "): runtime changes will not survive a "
                    + "restart";
            LOG.error(problem);
            return problem;
        }
    }

    /** Any thread: every stats figure now (see {@link StatsAggregator#report()}). */
    @Override
    public Map<String, Object> stats() {
        try {
            return statsAggregator.report().get(LOOP_TASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalArgumentException("stats not available: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException("interrupted");
        }
    }

    /** The metrics endpoint's bound address, or null when there is none. */
    public InetSocketAddress metricsAddress() {
        return metricsServer != null ? metricsServer.address() : null;
    }

    /** The stats thread (tests: a stalled aggregator). */
    StatsAggregator statsAggregator() {
        return statsAggregator;
    }

    @Override
    public Map<String, Object> diff() {
        Config current = config;
        Path file = current.source().orElseThrow(() -> new IllegalArgumentException(
                "no config file to compare with (started with --listen or --demo)"));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("config", file.toString());
        result.put("runtime", RuntimeState.capture(current, pools).stream().map(c -> (Object) c.toJson()).toList());
        try {
            result.put("file", ConfigDiff.between(current, loadForReload(file)));
        } catch (IllegalArgumentException e) {
            result.put("file_error", e.getMessage());
        }
        return result;
    }

    /**
     * Binds the listeners a reload adds or moves; if one fails, closes those already bound and
     * refuses the reload (nothing has changed yet).
     */
    private Map<String, Listener> bindAll(List<ListenerConfig> toBind, Config next, Map<String, BackendPool> nextPools) {
        Map<String, Listener> bound = new LinkedHashMap<>();
        try {
            for (ListenerConfig l : toBind) {
                bound.put(l.name(), Listener.bind(l, nextPools.get(l.pool()), timeouts(next, l), loops.length));
            }
            return bound;
        } catch (IOException e) {
            for (Listener listener : bound.values()) {
                listener.closeChannels();
            }
            throw new IllegalArgumentException("reload refused, nothing changed: " + e.getMessage());
        }
    }

    private static void describeReroute(ListenerConfig old, ListenerConfig l, boolean timeoutsChanged,
                                        List<String> changes) {
        if (!old.pool().equals(l.pool())) {
            changes.add("listener " + l.name() + ": pool " + old.pool() + " -> " + l.pool() + " (for new sessions)");
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

    /** Runs {@code action} with the loop index on every loop and waits (bounded) until all ran it. */
    private void onEveryLoop(String what, IntConsumer action) {
        CountDownLatch done = new CountDownLatch(loops.length);
        for (EventLoop loop : loops) {
            int index = loop.index();
            Runnable task = () -> {
                try {
                    action.accept(index);
                } finally {
                    done.countDown();
                }
            };
            long deadlineNs = System.nanoTime() + LOOP_TASK_TIMEOUT.toNanos();
            while (!loop.submit(task)) {
                if (System.nanoTime() > deadlineNs) {
                    LOG.warn("{}: could not queue \"{}\"", loop.name(), what);
                    done.countDown();
                    break;
                }
                sleepQuietly(1);
            }
        }
        try {
            if (!done.await(LOOP_TASK_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
                LOG.warn("\"{}\" did not complete on every loop within {} ms", what, LOOP_TASK_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
