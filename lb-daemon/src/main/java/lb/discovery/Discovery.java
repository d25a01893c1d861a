package lb.discovery;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.config.BackendConfig;
import lb.config.DiscoveryConfig;
import lb.log.RateLimitedLog;
import lb.pool.BackendPool;
import lb.pool.DiscoveryState;

/**
 * Owns the {@code lb-discovery} thread; any thread watches and forgets pools. Looks up each
 * discovering pool's DNS records on its schedule ({@link DnsLookup}: blocking queries, so on this
 * thread of its own, never an event loop, the control thread or the admin socket's) and hands each
 * good answer to a {@link Sink}, which applies it on the control thread (the one writer of pools).
 *
 * <p>Next lookup: with {@code refresh = "ttl"} after the answer's smallest TTL, clamped to
 * {@code min_refresh..max_refresh}; else after {@code refresh}. A failed lookup changes nothing in
 * the pool (it keeps the last good set); it is counted in the pool's {@link DiscoveryState}, logged
 * once per change of state (first failure, another reason, recovery), and retried after
 * {@code min_refresh}, doubling up to {@code max_refresh} while it fails (or after {@code refresh}).
 */
public final class Discovery implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Discovery.class);

    /** Where good answers go. */
    @FunctionalInterface
    public interface Sink {
        /**
         * Discovery thread: {@code pool}'s discovered backends should now be {@code wanted}. Runs
         * {@code applied} once that is done (or dropped), from whichever thread did it.
         */
        void apply(BackendPool pool, List<BackendConfig> wanted, Runnable applied);
    }

    private final Sink sink;
    private final ScheduledThreadPoolExecutor thread;
    private final Map<BackendPool, Watch> watches = new ConcurrentHashMap<>();
    private final RateLimitedLog crashes = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));

    public Discovery(Sink sink) {
        this.sink = sink;
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "lb-discovery");
            t.setDaemon(true);
            return t;
        });
        this.thread.setRemoveOnCancelPolicy(true);
    }

    /**
     * Any thread: looks {@code pool} up now, with its current {@link BackendPool#discovery()}
     * settings, and from then on as they say; a pool already watched starts over with them (a
     * reload changed them). A pool without discovery is forgotten.
     */
    public void watch(BackendPool pool) {
        DiscoveryConfig config = pool.discovery();
        if (config == null) {
            forget(pool);
            return;
        }
        Watch watch = new Watch(pool, config);
        Watch before = watches.put(pool, watch);
        if (before != null) {
            before.cancel();
        }
        watch.schedule(0);
    }

    /** Any thread: stops looking {@code pool} up (it left the config, or its discovery did). */
    public void forget(BackendPool pool) {
        Watch before = watches.remove(pool);
        if (before != null) {
            before.cancel();
        }
    }

    /**
     * Any thread (start-up): waits until every pool watched now has had its first lookup, and a
     * good answer has been applied, or {@code timeout} passes. Returns whether all had.
     */
    public boolean awaitFirstLookups(Duration timeout) throws InterruptedException {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        for (Watch watch : watches.values()) {
            long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0 || !watch.first.await(leftNs, TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    /** Any thread: stops the thread; a lookup in progress is abandoned. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Discovery thread (scheduled there by any thread). One pool's lookups with one set of settings. */
    private final class Watch implements Runnable {
        private final BackendPool pool;
        private final DiscoveryConfig config;
        private final DiscoveryState state;
        private final CountDownLatch first = new CountDownLatch(1);
        private volatile boolean cancelled;
        private ScheduledFuture<?> next;
        private int failuresInARow;
        private int leftOutLogged;
        // The interval the last good answer asked for: a failure is retried no later than that.
        private long lastIntervalMs;

        Watch(BackendPool pool, DiscoveryConfig config) {
            this.pool = pool;
            this.config = config;
            this.state = pool.discoveryState();
        }

        synchronized void schedule(long delayMs) {
            if (cancelled) {
                return;
            }
            state.nextLookupMs(System.currentTimeMillis() + delayMs);
            try {
                next = thread.schedule(this, delayMs, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                first.countDown(); // shutting down
            }
        }

        synchronized void cancel() {
            cancelled = true;
            if (next != null) {
                next.cancel(false);
            }
            first.countDown();
        }

        @Override
        public void run() {
            if (cancelled) {
                return;
            }
            long delayMs;
            try {
                delayMs = lookUp();
            } catch (RuntimeException e) {
                // No thread dies quietly (DESIGN rule 6): this pool's lookups go on.
                crashes.error(System.nanoTime(), "pool " + pool.name() + ": discovery lookup failed", e);
                first.countDown();
                delayMs = config.maxRefresh().toMillis();
            } catch (Error e) {
                // The executor would swallow it into a future: hand it on, as a dying thread would.
                Thread self = Thread.currentThread();
                self.getUncaughtExceptionHandler().uncaughtException(self, e);
                throw e;
            }
            schedule(delayMs);
        }

        /** One lookup, its answer handed on or its failure counted; returns when to look up next (ms). */
        private long lookUp() {
            long nowMs = System.currentTimeMillis();
            DnsLookup.Answer answer;
            try {
                answer = DnsLookup.lookup(config);
            } catch (DnsLookup.Failure f) {
                failuresInARow++;
                if (state.failed(f.reason(), f.getMessage(), nowMs) && !cancelled) {
                    LOG.warn("pool {}: discovery of {} ({}) failing: {}: {}; {}", pool.name(), config.name(),
                            config.type().configName(), f.reason().label(), f.getMessage(), state.answered() < 0
                                    ? "no answer yet: the pool has only its listed backends"
                                    : "keeping the last good set (" + state.answered() + " backend(s))");
                }
                first.countDown();
                return retryDelayMs();
            }
            if (cancelled) {
                return 0;
            }
            if (state.failing() != null) {
                LOG.info("pool {}: discovery of {} answers again after {} failed lookup(s) since {}: {} backend(s)",
                        pool.name(), config.name(), failuresInARow, java.time.Instant.ofEpochMilli(state.failingSinceMs()),
                        answer.backends().size());
            }
            failuresInARow = 0;
            state.succeeded(answer.backends().size(), answer.leftOut(), nowMs);
            if (answer.leftOut() != leftOutLogged) {
                leftOutLogged = answer.leftOut();
                if (answer.leftOut() > 0) {
                    LOG.warn("pool {}: discovery of {} gives {} backends, more than max_backends = {}: {} left out "
                            + "(the last by tier, then name)", pool.name(), config.name(),
                            answer.backends().size() + answer.leftOut(), config.maxBackends(), answer.leftOut());
                }
            }
            sink.apply(pool, answer.backends(), first::countDown);
            if (!config.followsTtl()) {
                return config.refresh().toMillis();
            }
            long ttlMs = Math.min(answer.ttlSeconds(), Long.MAX_VALUE / 2000) * 1000;
            lastIntervalMs = Math.max(config.minRefresh().toMillis(), Math.min(config.maxRefresh().toMillis(), ttlMs));
            return lastIntervalMs;
        }

        /**
         * After a failure: min_refresh, doubling while it fails, up to the interval the last good
         * answer had (max_refresh before any), so that an outage is not retried later than a good
         * answer would have been refreshed; with a fixed refresh, that.
         */
        private long retryDelayMs() {
            if (!config.followsTtl()) {
                return config.refresh().toMillis();
            }
            long cap = lastIntervalMs > 0 ? lastIntervalMs : config.maxRefresh().toMillis();
            long delay = config.minRefresh().toMillis() << Math.min(20, failuresInARow - 1);
            return Math.max(config.minRefresh().toMillis(), Math.min(delay, cap));
        }
    }
}
