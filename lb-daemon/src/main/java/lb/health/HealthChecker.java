package lb.health;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.function.Consumer;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.log.InjectedFault;
import lb.log.RateLimitedLog;
import lb.loop.KeyHandler;
import lb.pool.BackendPool;

/**
 * Owns the {@code lb-health} thread, its {@link Selector} and every {@link Task}: active probes
 * (non-blocking, on this selector), passive ejection, panic mode and slow start. Nothing here runs
 * on an event loop; it changes backends only through their volatile and atomic state and pools only
 * by publishing snapshots. Other threads start and close it, and hand it pools whose tasks to
 * (re)build or drop through a queue ({@link #watch}, {@link #forget}).
 */
public final class HealthChecker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);
    /** Longest sleep between passes, so a task that asks for "much later" is still looked at. */
    private static final long MAX_SLEEP_NS = TimeUnit.SECONDS.toNanos(1);

    /** HealthChecker thread: a piece of periodic work. */
    public interface Task {
        /**
         * Does whatever is due at {@code nowNs}; returns when it wants to run next (nanoTime),
         * earlier than that if a selection key of its own becomes ready.
         */
        long run(long nowNs);

        /** The task is dropped (its pool was removed or reconfigured): release what it holds. */
        default void stop(long nowNs) {
        }
    }

    private final Selector selector;
    private final List<Task> tasks = new ArrayList<>();
    private final List<BackendPool> taskPools = new ArrayList<>();
    private long[] dueNs = new long[0];
    // Pools whose tasks to rebuild (Watch) or drop (Forget), from reloading threads.
    private final Queue<Edit> edits = new ConcurrentLinkedQueue<>();

    private record Edit(BackendPool pool, boolean watch) {
    }

    private final Thread thread;
    private volatile boolean running = true;
    /**
     * Keys on the selector after the last pass: the probes in flight, plus those closed in that
     * pass (a closed channel's key leaves at the next select). Published because other threads
     * must not read {@code selector.keys()}, which is not thread-safe.
     */
    private volatile int registeredKeys;
    private final Consumer<BackendPool> republish;
    // A task or a selector that keeps failing would otherwise write a stack trace every second or
    // every pass (whatever trips it, a probe's peer say, is still there on the next try).
    private final RateLimitedLog taskFailures = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private final RateLimitedLog selectFailures = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));

    private HealthChecker(Selector selector, Consumer<BackendPool> republish) {
        this.selector = selector;
        this.republish = republish;
        this.thread = new Thread(this::run, "lb-health");
        this.thread.setDaemon(true);
    }

    /**
     * Starts the checker for {@code pools}. It runs even when none has anything to check yet, since
     * a reload may give one active or passive checks or slow start; idle, it wakes once a second.
     */
    public static HealthChecker start(Collection<BackendPool> pools) throws IOException {
        return start(pools, BackendPool::republish);
    }

    /**
     * As {@link #start(Collection)}, where a pool whose backends' health or weights changed is
     * republished by {@code republish}: in the daemon, a task for the control thread, the one writer
     * of pool snapshots.
     */
    public static HealthChecker start(Collection<BackendPool> pools, Consumer<BackendPool> republish)
            throws IOException {
        HealthChecker checker = new HealthChecker(Selector.open(), republish);
        for (BackendPool pool : pools) {
            checker.add(pool);
        }
        checker.thread.start();
        return checker;
    }

    /** Health thread: {@code pool}'s snapshot must be rebuilt (a backend's health or effective weight changed). */
    void republish(BackendPool pool) {
        republish.accept(pool);
    }

    /**
     * Any thread: (re)builds {@code pool}'s tasks from its current health settings on the next pass;
     * the old tasks stop (probes in flight are closed). Backends keep their state, except what no
     * task would ever change again: without active checks a DOWN backend is UP, without passive
     * checks an ejected one returns, without a panic threshold the pool leaves panic.
     */
    public void watch(BackendPool pool) {
        edits.add(new Edit(pool, true));
        selector.wakeup();
    }

    /** Any thread: drops {@code pool}'s tasks on the next pass (the pool left the config). */
    public void forget(BackendPool pool) {
        edits.add(new Edit(pool, false));
        selector.wakeup();
    }

    private void applyEdits(long nowNs) {
        for (Edit edit; (edit = edits.poll()) != null; ) {
            for (int i = tasks.size() - 1; i >= 0; i--) {
                if (taskPools.get(i) == edit.pool()) {
                    tasks.remove(i).stop(nowNs);
                    taskPools.remove(i);
                }
            }
            if (edit.watch()) {
                HealthTasks.settle(edit.pool());
                add(edit.pool());
            }
        }
    }

    private void add(BackendPool pool) {
        for (Task task : HealthTasks.forPool(pool, this)) {
            tasks.add(task);
            taskPools.add(pool);
        }
        dueNs = new long[tasks.size()]; // 0: every task runs at once (an early pass harms nobody)
    }

    /** HealthChecker thread only: the selector probes register their channels with (attachment: a {@link KeyHandler}). */
    public Selector selector() {
        return selector;
    }

    private void run() {
        while (running) {
            InjectedFault.check();
            long nowNs = System.nanoTime();
            if (!edits.isEmpty()) {
                applyEdits(nowNs);
            }
            long nextNs = nowNs + MAX_SLEEP_NS;
            for (int i = 0; i < tasks.size(); i++) {
                if (dueNs[i] - nowNs <= 0) {
                    try {
                        dueNs[i] = tasks.get(i).run(nowNs);
                    } catch (RuntimeException e) {
                        taskFailures.error(nowNs, "health task " + tasks.get(i) + " failed; retrying in 1 s", e);
                        dueNs[i] = nowNs + MAX_SLEEP_NS;
                    }
                }
                if (dueNs[i] - nextNs < 0) {
                    nextNs = dueNs[i];
                }
            }
            long sleepNs = nextNs - System.nanoTime();
            try {
                if (sleepNs <= 0) {
                    selector.selectNow(this::dispatch);
                } else {
                    selector.select(this::dispatch, Math.max(1, TimeUnit.NANOSECONDS.toMillis(sleepNs + 999_999)));
                }
            } catch (IOException | RuntimeException e) {
                if (running) {
                    selectFailures.error(System.nanoTime(), "health selector failed", e);
                }
            }
            registeredKeys = selector.keys().size();
        }
        try {
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing the health selector", e);
        }
    }

    private void dispatch(SelectionKey key) {
        KeyHandler handler = (KeyHandler) key.attachment();
        try {
            handler.onReady(key, System.nanoTime());
        } catch (RuntimeException e) {
            handler.onFailure(e);
        }
    }

    /** Any thread: keys registered on the selector as of the last pass (tests: probes leak no channel). */
    int registeredKeys() {
        return registeredKeys;
    }

    /** Any thread: stops the thread (bounded wait) and closes every probe's channel. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
