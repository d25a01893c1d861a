package lb;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.admin.AdminServer;
import lb.balance.Balancers;
import lb.config.Config;
import lb.config.DaemonConfig;
import lb.config.ListenerConfig;
import lb.config.PoolConfig;
import lb.control.Caller;
import lb.control.ControlPlane;
import lb.control.Loops;
import lb.control.RunningState;
import lb.control.UpgradeHooks;
import lb.health.HealthChecker;
import lb.listen.Listener;
import lb.listen.SniRoutes;
import lb.loop.BufferPool;
import lb.loop.EventLoop;
import lb.loop.NanoClock;
import lb.pool.BackendPool;
import lb.protocol.RefusedException;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.protocol.Version;
import lb.session.LoopSessions;
import lb.session.Termination;
import lb.state.RuntimeState;
import lb.state.StateJournal;
import lb.stats.AccessLog;
import lb.stats.AccessLogFile;
import lb.stats.MetricsServer;
import lb.stats.StatsAggregator;
import lb.session.StatsRing;

/**
 * Any thread. A running daemon: wires its threads together (event loops, control plane, health,
 * stats, metrics, admin socket) and owns the lifecycle. Everything that changes configuration state
 * goes through the {@link ControlPlane}; the data path lives in the loops.
 */
public final class Daemon implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final long CALL_TIMEOUT_MS = 60_000;

    private final RunningState state;
    private final EventLoop[] loops;
    private final Loops loopOps;
    private StatsAggregator statsAggregator;
    private ControlPlane control;
    private HealthChecker healthChecker;
    private MetricsServer metricsServer;
    private AdminServer adminServer;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean shutdownStarted;
    private boolean shutdownClean;
    /** A throwaway daemon (the start-up warm-up's): it logs nothing of its own start and stop. */
    private final boolean quiet;

    private Daemon(RunningState state, EventLoop[] loops, Loops loopOps, boolean quiet) {
        this.state = state;
        this.loops = loops;
        this.loopOps = loopOps;
        this.quiet = quiet;
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
        return start(config, overrides, ringSlots, AccessLogFile.DEFAULT_QUEUE_LINES);
    }

    /** As above, with {@code accessLogLines} lines that may wait for a file access log's writer (tests). */
    static Daemon start(Config config, UnaryOperator<Config> overrides, int ringSlots, int accessLogLines)
            throws IOException {
        return start(config, overrides, ringSlots, accessLogLines, false);
    }

    /** A daemon for the start-up warm-up ({@link Warmup}): started and stopped without a log line. */
    static Daemon startQuietly(Config config) throws IOException {
        return start(config, UnaryOperator.identity(), StatsRing.DEFAULT_SLOTS, AccessLogFile.DEFAULT_QUEUE_LINES, true);
    }

    private static Daemon start(Config config, UnaryOperator<Config> overrides, int ringSlots, int accessLogLines,
                                boolean quiet) throws IOException {
        ClassPreload.loadAll(Daemon.class);
        RuntimeState.Overlay overlay = StateJournal.read(config);
        int workers = config.daemon().workers();
        EventLoop[] loops = new EventLoop[workers];
        LoopSessions[] sessions = new LoopSessions[workers];
        Map<String, BackendPool> pools = new LinkedHashMap<>();
        Map<String, Listener> listeners = new LinkedHashMap<>();
        Daemon daemon = null;
        try {
            DaemonConfig d = config.daemon();
            boolean events = d.stats() || d.accessLog();
            StatsRing[] rings = new StatsRing[events ? workers : 0];
            long poolMax = MemoryBudget.poolMaxPerLoop(d);
            if (!quiet && d.bufferPoolMax() == DaemonConfig.AUTO_BUFFER_POOL_MAX
                    && poolMax < DaemonConfig.DEFAULT_BUFFER_POOL_MAX) {
                LOG.info("buffer_pool_max unset: {} KiB per event loop, to fit the JVM's {} MiB of direct memory",
                        poolMax >> 10, MemoryBudget.directMemoryLimit() >> 20);
            }
            for (int i = 0; i < workers; i++) {
                loops[i] = new EventLoop(i, NanoClock.SYSTEM, d.bufferSize(), poolMax);
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
                        config.timeouts(listenerConfig), SniRoutes.of(listenerConfig, config, pools), workers));
            }
            Loops loopOps = new Loops(loops, sessions);
            loopOps.acceptFrom(listeners.values());
            daemon = new Daemon(new RunningState(config, pools, listeners, overrides), loops, loopOps, quiet);
            daemon.startThreads(rings, accessLogLines);
            for (EventLoop loop : loops) {
                loop.start();
            }
            if (!quiet) {
                daemon.logStartup();
            }
            if (!overlay.overridden().isEmpty()) {
                StateJournal.save(config, pools); // without the changes the file won over (logs a failure)
            }
            return daemon;
        } catch (IOException | RuntimeException e) {
            if (daemon != null) {
                daemon.stopThreads();
            }
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

    /** Stats, control plane, metrics, health and admin socket, in the order each needs the others. */
    private void startThreads(StatsRing[] rings, int accessLogLines) throws IOException {
        Config config = state.config();
        DaemonConfig d = config.daemon();
        AccessLog accessLog = AccessLog.open(d, accessLogLines);
        try {
            statsAggregator = StatsAggregator.start(rings, state, d.stats(), accessLog, List.of(loops));
        } catch (RuntimeException | Error e) {
            accessLog.close();
            throw e;
        }
        control = new ControlPlane(state, loopOps, statsAggregator, System.nanoTime());
        if (config.metrics().listen() != null) {
            metricsServer = MetricsServer.start(config.metrics(), statsAggregator);
        }
        // Before the loops start, so that a backend's first probe runs as early as possible.
        healthChecker = HealthChecker.start(state.pools().values(), control::republish);
        control.useHealthChecker(healthChecker);
        Path socket = d.adminSocket();
        if (socket != null) {
            // An upgrade's new process binds beside the old one's socket, and moves over it once ready.
            Path bindAt = System.getenv(UpgradeHooks.FROM_ENV) == null ? socket
                    : InPlaceUpgrade.successorSocket(socket, ProcessHandle.current().pid());
            adminServer = AdminServer.start(bindAt, d.adminSocketGroup(), control);
        }
    }

    /** Any thread (the watchdog): what is stuck, or null when every loop and the control thread turn. */
    public String stuck(long nowNs, long maxAgeNs) {
        for (EventLoop loop : loops) {
            String why = loop.stuck(nowNs, maxAgeNs);
            if (why != null) {
                return why;
            }
        }
        return control.stuck(nowNs, maxAgeNs);
    }

    /** For systemd's STATUS=: sessions open and backends up. */
    public String statusLine() {
        int backends = 0;
        int up = 0;
        for (BackendPool pool : state.pools().values()) {
            for (lb.pool.Backend b : pool.snapshot().backends()) {
                backends++;
                up += b.healthState() == lb.pool.HealthState.UP ? 1 : 0;
            }
        }
        return activeSessions() + " session(s) open; " + up + " of " + backends + " backend(s) up; "
                + state.listeners().size() + " listener(s)";
    }

    /** Any thread, at the start of a stop (SIGTERM): /ready answers 503 from now; the listeners still accept. */
    public void startDraining() {
        if (metricsServer != null) {
            metricsServer.draining();
        }
    }

    /**
     * Any thread, when a new process took over: the metrics listener (and its /ready) closes at
     * once, so that health checks and scrapes reach the new process only.
     */
    public void closeMetricsForSuccessor() {
        if (metricsServer != null) {
            metricsServer.close();
        }
    }

    /**
     * Main thread, once: lets {@code lb-cli upgrade} start a new process; {@code handOver} (any
     * thread) is told the new pid once it is ready, and should stop this one.
     */
    public void enableUpgrades(UnaryOperator<Config> overrides, java.util.function.LongConsumer handOver) {
        Path socket = state.config().daemon().adminSocket();
        if (socket != null) { // no admin socket, no lb-cli upgrade
            control.upgradeHooks(new InPlaceUpgrade(state, socket, overrides, handOver));
        }
    }

    /**
     * Main thread, when this process is an upgrade's new one ({@code LB_UPGRADE_FROM} set), once it
     * is up: see {@link InPlaceUpgrade#complete}. Returns the old pid, or 0.
     */
    public long completeUpgrade() throws IOException {
        return InPlaceUpgrade.complete(state.config().daemon().adminSocket(), adminServer);
    }

    /** What {@link #startThreads} started, in reverse (a start-up that failed half-way, or shutdown's end). */
    private void stopThreads() {
        if (adminServer != null) {
            adminServer.close();
        }
        if (control != null) {
            control.close();
        }
        if (healthChecker != null) {
            healthChecker.close();
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        if (statsAggregator != null) {
            statsAggregator.close();
        }
    }

    private void logStartup() {
        for (Listener listener : state.listeners().values()) {
            BackendPool pool = listener.pool();
            SniRoutes routes = listener.sniRoutes();
            String to = pool == null ? "no default pool (reject), " : "pool \"" + pool.name() + "\" ("
                    + pool.snapshot().algorithm() + ", " + pool.snapshot().size() + " backends, ";
            LOG.info("listener \"{}\" on {} -> {}{}accept {})", listener.name(), listener.boundAddressText(),
                    pool == null ? "(" + to : to, routes == null ? "" : routes.targets().size()
                            + " route(s) by server name, ", listener.config().acceptMode().configName());
        }
        Long migrate = lb.loop.Sockets.tcpMigrateReq();
        if (migrate != null && migrate == 0) {
            LOG.info("net.ipv4.tcp_migrate_req = 0: an upgrade (lb-cli upgrade) resets connections still queued on the "
                    + "old process's listeners; systemd/install.sh sets it to 1");
        }
        Config config = state.config();
        LOG.info("lb-daemon {} ready: {} listener(s), {} pool(s), {} event loop(s){}", Version.text(),
                state.listeners().size(), state.pools().size(), loops.length,
                config.source().map(p -> ", config " + p).orElse(""));
    }

    public Config config() {
        return state.config();
    }

    /** The address a listener is bound to (the real port when the config asked for port 0). */
    public InetSocketAddress listenerAddress(String listenerName) {
        Listener listener = state.listeners().get(listenerName);
        if (listener == null) {
            throw new IllegalArgumentException("no listener named " + listenerName);
        }
        return listener.boundAddress();
    }

    /** The runtime pool of that name, or null. */
    public BackendPool pool(String name) {
        return state.pools().get(name);
    }

    public Map<String, BackendPool> pools() {
        return state.pools();
    }

    public Map<String, Listener> listeners() {
        return state.listeners();
    }

    /** The control plane: every change to configuration state goes through it. */
    public ControlPlane control() {
        return control;
    }

    /** Cross-loop operations (tests count session listings). */
    public Loops loops() {
        return loopOps;
    }

    /** The event loops, in index order (tests reach one to load it). */
    public List<EventLoop> eventLoops() {
        return List.of(loops);
    }

    /** Sessions open now, over all loops. */
    public int activeSessions() {
        return loopOps.activeSessions();
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
     * Any thread: a reload through the control plane, as {@code lb-cli reload} does; returns one
     * line per change.
     *
     * @throws RefusedException listing every problem; then nothing changed
     */
    public List<String> reload() {
        return ((Reply.Reload) control.call(new Request.Reload(), Caller.signal("API"), CALL_TIMEOUT_MS)).changes();
    }

    /** Any thread: a reload on SIGHUP, done in order with the admin commands; the outcome is logged. */
    public void reloadOnSignal() {
        control.reloadOnSignal("SIGHUP");
    }

    /**
     * Any thread: a file access log goes on in a fresh file at its path (SIGUSR1, after logrotate
     * renamed it); false when the access log is not a file.
     */
    public boolean reopenAccessLog() {
        return statsAggregator.accessLog().reopen();
    }

    /** Any thread: every stats figure now (see {@link StatsAggregator#report()}). */
    public Map<String, Object> stats() {
        try {
            return statsAggregator.report().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
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
        loopOps.stopAccepting();
        for (Listener listener : state.listeners().values()) {
            listener.closeChannels();
        }
        loopOps.barrier(); // the loops deregister the closed sockets: the ports are free from here
        long deadlineNs = System.nanoTime() + grace.toNanos();
        int open = activeSessions();
        if (open > 0 && !quiet) {
            LOG.info("stopped accepting; waiting up to {} ms for {} open session(s)", grace.toMillis(), open);
        }
        while (activeSessions() > 0 && System.nanoTime() < deadlineNs) {
            // A control thread waiting for loops to drain: a coarse poll is fine off the data path.
            sleepQuietly(10);
        }
        boolean clean = activeSessions() == 0;
        if (!clean) {
            if (!quiet) {
                LOG.info("shutdown grace over: closing {} session(s)", activeSessions());
            }
            loopOps.closeAll(Termination.SHUTDOWN);
        }
        if (adminServer != null) {
            adminServer.close();
        }
        control.close();
        healthChecker.close();
        for (EventLoop loop : loops) {
            loop.stop();
        }
        for (EventLoop loop : loops) {
            try {
                if (!loop.awaitTermination(STOP_TIMEOUT)) {
                    LOG.warn("{} did not stop within {} ms", loop.name(), STOP_TIMEOUT.toMillis());
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
        if (!quiet) {
            LOG.info("stopped ({})", clean ? "every session finished" : "sessions closed at the end of the grace period");
        }
        return clean;
    }

    /** Immediate shutdown: open sessions are closed at once. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
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
