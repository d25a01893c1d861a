package lb.control;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.discovery.Discovery;
import lb.health.HealthChecker;
import lb.log.RateLimitedLog;
import lb.pool.BackendPool;
import lb.protocol.Command;
import lb.protocol.ErrorCode;
import lb.protocol.RefusedException;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.state.StateJournal;
import lb.stats.StatsAggregator;

/**
 * Any thread submits; owns the {@code lb-control} and {@code lb-query} threads. The one writer of
 * configuration state (DESIGN.md rule 5): every admin command that changes state, every reload
 * (admin socket or SIGHUP), the state journal and health-driven republishing run on the control
 * thread, one at a time, in the order they were submitted, each audited and journaled there.
 * Commands that only read run on the query thread, so a long reload never delays {@code status}.
 * Neither thread blocks on the loops or the stats thread: such work answers through futures.
 */
public final class ControlPlane implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
    private static final Logger AUDIT = LoggerFactory.getLogger("lb.audit");
    /** Mutations queued beyond this are refused (a client flooding commands cannot grow memory). */
    static final int MAX_QUEUED = 1024;

    private final RunningState state;
    private final Loops loops;
    private final StatsAggregator stats;
    private volatile Reload reload;
    // Created with the reload (useHealthChecker); null in tests that run a plane without one.
    private volatile Discovery discovery;
    /** Written by the control thread (journal), read by status on the query thread. */
    private volatile StateFileError stateFileError;
    private final long startedNs;
    private final ScheduledThreadPoolExecutor control;
    private final ThreadPoolExecutor query;
    private final AtomicInteger queued = new AtomicInteger();
    private final Set<BackendPool> republishing = ConcurrentHashMap.newKeySet();
    private final Map<Command, Handler<?>> handlers = new EnumMap<>(Command.class);
    // An admin client (or a script) can repeat whatever trips these as fast as it likes: a line
    // per cause per interval, with a count. Command failures per command (bounded by the enum).
    private final Map<Command, RateLimitedLog> commandFailures = new EnumMap<>(Command.class);
    private final RateLimitedLog taskFailures = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private final RateLimitedLog pollFailures = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private final RateLimitedLog droppedAnswers = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    // Control thread only.
    private long auditSequence;
    private volatile Runnable beforeReloadForTest = () -> { };
    // Set by the daemon (null in tests that run a control plane without one): what an upgrade needs.
    private volatile UpgradeHooks upgradeHooks;
    // For the watchdog: when the control thread's current task started, or 0 while it waits.
    private volatile long controlBusySinceNs;
    // Control thread writes once: this process handed over to a new one and is draining.
    private volatile boolean handedOver;

    public ControlPlane(RunningState state, Loops loops, StatsAggregator stats, long startedNs) {
        this.state = state;
        this.loops = loops;
        this.stats = stats;
        this.startedNs = startedNs;
        this.control = new ScheduledThreadPoolExecutor(1, r -> thread(r, "lb-control")) {
            @Override
            protected void beforeExecute(Thread t, Runnable r) {
                long now = System.nanoTime();
                controlBusySinceNs = now == 0 ? 1 : now;
            }

            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                controlBusySinceNs = 0;
            }
        };
        this.control.setRemoveOnCancelPolicy(true); // a cancelled wait leaves the queue at once
        this.query = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_QUEUED),
                r -> thread(r, "lb-query"));
        for (Command c : Command.values()) {
            handlers.put(c, handlerFor(c));
            commandFailures.put(c, new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10)));
        }
    }

    /**
     * Start-up thread, before any command: reloads tell {@code checker} about pools and health
     * settings they change. (The checker is started after this plane, since it republishes through it.)
     */
    public void useHealthChecker(HealthChecker checker) {
        Discovery found = new Discovery(new DiscoveryApplier(this));
        discovery = found;
        reload = new Reload(state, loops, checker, found);
        // DNS discovery starts here too, and start-up waits (bounded) for each pool's first answer,
        // so that a pool whose backends all come from DNS does not begin by refusing clients.
        long waitMs = 0;
        for (BackendPool pool : state.pools().values()) {
            if (pool.discovery() != null) {
                found.watch(pool);
                waitMs = Math.max(waitMs, FIRST_LOOKUP_ATTEMPTS * pool.discovery().timeout().toMillis()
                        * pool.discovery().resolvers().size() + 1000);
            }
        }
        if (waitMs > 0) {
            try {
                if (!found.awaitFirstLookups(java.time.Duration.ofMillis(Math.min(waitMs, MAX_FIRST_LOOKUP_MS)))) {
                    LOG.warn("DNS discovery: not every pool has its first answer yet; they start with the backends "
                            + "they have and take the others when the answers come");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** UDP, TCP after truncation, a target's A then AAAA: the queries one resolver may take in a first lookup. */
    private static final int FIRST_LOOKUP_ATTEMPTS = 3;
    private static final long MAX_FIRST_LOOKUP_MS = 10_000;

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Every command has its handler: the switch is exhaustive, so a new command without one does not compile. */
    private Handler<?> handlerFor(Command c) {
        return switch (c) {
            case VERSION -> new VersionCommand();
            case STATUS -> new StatusCommand(this);
            case STATS -> new StatsCommand(this);
            case SESSIONS -> new SessionsCommand(this);
            case EXPLAIN -> new ExplainCommand(this);
            case SOURCES -> new SourcesCommand(this);
            case PREVIEW_REMOVE -> new PreviewRemoveCommand(this);
            case DIFF -> new DiffCommand(this);
            case DRAIN -> new DrainCommand(this);
            case UNDRAIN, ENABLE -> new ActivateCommand(this);
            case DISABLE -> new DisableCommand(this);
            case SET_WEIGHT -> new SetWeightCommand(this);
            case ADD_BACKEND -> new AddBackendCommand(this);
            case REMOVE_BACKEND -> new RemoveBackendCommand(this);
            case RELOAD -> new ReloadCommand(this);
            case UPGRADE -> new UpgradeCommand(this);
            case KILL_SESSION -> new KillSessionCommand(this);
        };
    }

    /**
     * Any thread (the admin thread): runs {@code request} on the control thread if it changes state,
     * else on the query thread; never blocks. A full queue is refused at once.
     */
    public void dispatch(Request request, Exchange exchange) {
        @SuppressWarnings("unchecked")
        Handler<Request> handler = (Handler<Request>) handlers.get(request.command());
        Runnable run = () -> {
            try {
                handler.handle(request, exchange);
            } catch (RefusedException e) {
                exchange.refuse(e);
            } catch (RuntimeException e) {
                commandFailures.get(request.command()).error(System.nanoTime(), request.command().wireName()
                        + " failed", e);
                exchange.refuse(ErrorCode.UNAVAILABLE, request.command().wireName() + " failed: " + e);
            }
        };
        boolean accepted = request.command().mutates() ? onControl(run) : onQuery(run);
        if (!accepted) {
            exchange.refuse(ErrorCode.LIMIT, "the daemon is busy or stopping: " + request.command().wireName()
                    + " not queued");
        }
    }

    /**
     * Any thread except the control thread: runs {@code request} as an admin client would and waits
     * (bounded) for its final reply.
     *
     * @throws RefusedException as the command refused
     */
    public Reply call(Request request, Caller caller, long timeoutMs) {
        FutureExchange exchange = new FutureExchange(caller);
        dispatch(request, exchange);
        return exchange.await(timeoutMs);
    }

    /** Any thread: a reload on behalf of a signal, answered in the log. */
    public void reloadOnSignal(String signal) {
        dispatch(new Request.Reload(), new LoggedExchange(Caller.signal(signal)));
    }

    /**
     * Any thread (the health thread): republishes {@code pool}'s snapshot on the control thread.
     * Coalesced: while one is queued for a pool, more requests for it add nothing.
     */
    public void republish(BackendPool pool) {
        if (republishing.add(pool) && !onControl(() -> {
            republishing.remove(pool);
            pool.republish();
        })) {
            republishing.remove(pool);
        }
    }

    /** Any thread: runs {@code task} on the control thread after those already queued; false if refused. */
    boolean onControl(Runnable task) {
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            return false;
        }
        try {
            control.execute(() -> {
                queued.decrementAndGet();
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // One bad task never stops the control thread.
                    taskFailures.error(System.nanoTime(), "control task failed", e);
                } catch (Error e) {
                    // The executor would swallow it into a future: hand it on, as a dying thread would.
                    Thread self = Thread.currentThread();
                    self.getUncaughtExceptionHandler().uncaughtException(self, e);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            queued.decrementAndGet();
            return false;
        }
    }

    private boolean onQuery(Runnable task) {
        try {
            query.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Any thread (the watchdog): why the control thread is stuck (one task longer than {@code maxAgeNs}), or null. */
    public String stuck(long nowNs, long maxAgeNs) {
        long since = controlBusySinceNs;
        long busyNs = since == 0 ? 0 : nowNs - since;
        return busyNs > maxAgeNs ? "lb-control has been in one task for " + busyNs / 1_000_000 + " ms" : null;
    }

    /** Before the admin socket opens: lets {@code upgrade} start a new process and hand over to it. */
    public void upgradeHooks(UpgradeHooks hooks) {
        this.upgradeHooks = hooks;
    }

    UpgradeHooks upgradeHooks() {
        return upgradeHooks;
    }

    /** Control thread: this process handed over to a new one (a second upgrade is refused). */
    void handOver() {
        handedOver = true;
    }

    /** Any thread: whether this process handed over to a new one and is draining. */
    public boolean handedOver() {
        return handedOver;
    }

    /** Control thread: runs {@code poll} on the control thread every {@code periodMs} until cancelled. */
    ScheduledFuture<?> every(long periodMs, Runnable poll) {
        return control.scheduleWithFixedDelay(() -> {
            try {
                poll.run();
            } catch (RuntimeException e) {
                pollFailures.error(System.nanoTime(), "control poll failed", e); // every period while it lasts
            }
        }, 0, periodMs, TimeUnit.MILLISECONDS);
    }

    /** Any thread: completes {@code future}'s continuation on the control thread. */
    <T> void thenOnControl(CompletableFuture<T> future, java.util.function.BiConsumer<T, Throwable> action) {
        future.whenComplete((value, failure) -> {
            if (!onControl(() -> action.accept(value, failure))) {
                droppedAnswers.warn(System.nanoTime(), "control queue full: a loop's answer was dropped");
            }
        });
    }

    /**
     * Control thread: one audit line for a change an operator (or a signal) made, numbered in the
     * order the control thread applied them: the order a serial replay must follow.
     */
    void audit(Caller caller, Command command, String target, String change) {
        AUDIT.info("audit #{} {} {} {} by {}", ++auditSequence, command.wireName(), target, change, caller);
    }

    /** Control thread: journals the runtime changes; null, or why it could not (the change stands). */
    String journal() {
        String problem = StateJournal.save(state.config(), state.pools());
        StateFileError was = stateFileError;
        if (problem == null) {
            stateFileError = null;
        } else {
            stateFileError = new StateFileError(problem, was != null ? was.sinceMs() : System.currentTimeMillis());
        }
        return problem;
    }

    /** Any thread: why the state file could not be written last time, and since when; null when it could. */
    StateFileError stateFileError() {
        return stateFileError;
    }

    /** A failing state file: the last reason, and when the failures began (epoch ms). */
    record StateFileError(String problem, long sinceMs) {
    }

    RunningState state() {
        return state;
    }

    Loops loops() {
        return loops;
    }

    StatsAggregator stats() {
        return stats;
    }

    Reload reload() {
        Reload r = reload;
        if (r == null) {
            throw new RefusedException(ErrorCode.REFUSED, "the daemon is still starting: no reload yet");
        }
        return r;
    }

    /** Control thread, as a reload starts: the test hook, if any. */
    void beforeReload() {
        beforeReloadForTest.run();
    }

    long startedNs() {
        return startedNs;
    }

    /**
     * Tests of the protocol alone: a plane over fixed pools and listeners, without loops, stats or
     * a config file (commands that need them refuse).
     */
    public static ControlPlane overForTest(Map<String, BackendPool> pools, Map<String, lb.listen.Listener> listeners) {
        return new ControlPlane(new RunningState(null, pools, listeners, java.util.function.UnaryOperator.identity()),
                new Loops(new lb.loop.EventLoop[0], new lb.session.LoopSessions[0]), null, System.nanoTime());
    }

    /** Tests: {@code hook} runs on the control thread at the start of every reload (to hold one in progress). */
    public void beforeReloadForTest(Runnable hook) {
        beforeReloadForTest = hook;
    }

    /** Control thread waits (drains) currently scheduled, and queued tasks: tests see a wait go away. */
    public int scheduledForTest() {
        return control.getQueue().size();
    }

    /** Waits (drains, removals) polling now, without one-off tasks such as a loop's answer: tests count waits. */
    public int waitsForTest() {
        int waits = 0;
        for (Runnable r : control.getQueue()) {
            if (r instanceof java.util.concurrent.RunnableScheduledFuture<?> f && f.isPeriodic()) {
                waits++;
            }
        }
        return waits;
    }

    /**
     * Any thread: stops taking commands, lets the one running finish (bounded), drops waits. The
     * daemon is shutting down: a drain still waiting gets no reply.
     */
    @Override
    public void close() {
        Discovery found = discovery;
        if (found != null) {
            found.close();
        }
        control.shutdownNow();
        query.shutdownNow();
        try {
            control.awaitTermination(Loops.TASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            query.awaitTermination(Loops.TASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
