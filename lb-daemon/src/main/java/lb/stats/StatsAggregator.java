package lb.stats;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.config.AccessLogFormat;
import lb.listen.Listener;
import lb.listen.ListenerAdmission;
import lb.listen.SniRoutes;
import lb.log.InjectedFault;
import lb.log.RateLimitedLog;
import lb.loop.EventLoop;
import lb.loop.Sockets;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.ConnectFailure;
import lb.pool.DiscoveryFailure;
import lb.pool.LoopCounters;
import lb.proxyproto.ProxyHeaderParser;
import lb.session.SessionEvent;
import lb.session.StatsRing;
import lb.session.Termination;

/**
 * Owns the {@code lb-stats} thread and everything it aggregates. Drains every event loop's
 * {@link StatsRing}: writes each ended session's access-log line (here, so that a slow log never
 * holds up relaying), adds the session to the {@link Figures} of its listener, pool and backend,
 * samples the loops' counters once a second for rates, and answers {@link #report()} requests with
 * a fresh copy. Other threads only start it, ask for reports and close it.
 */
public final class StatsAggregator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatsAggregator.class);
    /**
     * How long the thread sleeps when every ring is empty, doubling while they stay empty up to
     * the most: while sessions end, events wait at most 10 ms; an idle daemon wakes 10 times a
     * second instead of 100 (a ring of 8,192 slots holds 100 ms of 80,000 sessions a second).
     * Requests for a report wake the thread at once.
     */
    private static final long IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long SAMPLE_EVERY_NS = TimeUnit.SECONDS.toNanos(1);

    /** The daemon's listeners and pools now, in config order; a reload publishes new maps, a map never changes. */
    public interface Sources {
        Map<String, Listener> listeners();

        Map<String, BackendPool> pools();
    }

    private final StatsRing[] rings;
    private final Sources sources;
    private final boolean figuresOn;
    private final AccessLog accessLog;
    private final Map<Object, Figures> figures = new IdentityHashMap<>();
    private final Map<Object, Rates> rates = new IdentityHashMap<>();
    private final Departures departures = new Departures();
    private List<EventLoop> loops = List.of(); // set before the thread starts
    private final Queue<CompletableFuture<Map<String, Object>>> requests = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    // A fault that trips on every session would otherwise write a stack trace per session.
    private final RateLimitedLog accountFailures = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private volatile boolean running = true;
    private volatile boolean held;
    private volatile long processed;
    private long lastSampleNs;

    /** Per-second rates of one listener or backend, from two samples of its counters. */
    private static final class Rates {
        long sessions;
        long up;
        long down;
        double sessionsPerS;
        double upPerS;
        double downPerS;
    }

    private StatsAggregator(StatsRing[] rings, Sources sources, boolean figuresOn, AccessLog accessLog) {
        this.rings = rings;
        this.sources = sources;
        this.figuresOn = figuresOn;
        this.accessLog = accessLog;
        this.thread = new Thread(this::run, "lb-stats");
        this.thread.setDaemon(true);
    }

    /**
     * Starts the thread over {@code rings} (one per event loop).
     *
     * @param figuresOn whether to keep figures (the {@code stats} setting); else only the access log
     * @param accessLog whether to write one {@code lb.access} line per ended session (to the journal, as logfmt)
     */
    public static StatsAggregator start(StatsRing[] rings, Sources sources, boolean figuresOn, boolean accessLog) {
        return start(rings, sources, figuresOn, accessLog ? AccessLog.journal(AccessLogFormat.LOGFMT) : AccessLog.off(),
                List.of());
    }

    /**
     * As above, with where access-log lines go ({@link #close()} closes it, after the last line) and
     * the event loops' buffer pools, for the process figures.
     */
    public static StatsAggregator start(StatsRing[] rings, Sources sources, boolean figuresOn, AccessLog accessLog,
                                        List<EventLoop> loops) {
        StatsAggregator aggregator = new StatsAggregator(rings, sources, figuresOn, accessLog);
        aggregator.loops = loops;
        aggregator.thread.start();
        return aggregator;
    }

    private void run() {
        long parkNs = IDLE_PARK_NS;
        while (running) {
            InjectedFault.check();
            int drained = held ? 0 : drain();
            serveRequests();
            long nowNs = System.nanoTime();
            if (nowNs - lastSampleNs >= SAMPLE_EVERY_NS) {
                sample(nowNs);
            }
            if (drained > 0) {
                parkNs = IDLE_PARK_NS;
            } else if (rings.length == 0) {
                // No events at all (neither stats nor access log): only the sample is due.
                LockSupport.parkNanos(Math.max(IDLE_PARK_NS, lastSampleNs + SAMPLE_EVERY_NS - nowNs));
            } else {
                LockSupport.parkNanos(parkNs);
                parkNs = Math.min(MAX_IDLE_PARK_NS, parkNs * 2);
            }
        }
        drain(); // sessions closed at shutdown still get their access-log line
        serveRequests();
    }

    private int drain() {
        int drained = 0;
        long nowNs = System.nanoTime(); // the recent windows' clock: a drain is milliseconds long at most
        for (StatsRing ring : rings) {
            for (SessionEvent e; (e = ring.poll()) != null; ) {
                try {
                    consume(e, nowNs);
                } catch (RuntimeException failure) {
                    accountFailures.error(System.nanoTime(), "stats: could not account for a session", failure);
                } finally {
                    ring.recycle(e);
                }
                drained++;
            }
        }
        if (drained > 0) {
            processed += drained;
        }
        return drained;
    }

    private void consume(SessionEvent e, long nowNs) {
        if (accessLog.on()) {
            accessLog.write(e);
        }
        if (figuresOn) {
            figures.computeIfAbsent(e.listener, k -> new Figures()).add(e, nowNs);
            figures.computeIfAbsent(e.pool, k -> new Figures()).add(e, nowNs);
            if (e.backend != null) {
                figures.computeIfAbsent(e.backend, k -> new Figures()).add(e, nowNs);
            }
        }
    }

    /** Takes the rates of every listener and backend now; forgets what no longer exists. */
    private void sample(long nowNs) {
        double seconds = lastSampleNs == 0 ? 0 : (nowNs - lastSampleNs) / 1e9;
        lastSampleNs = nowNs;
        departures.observe(sources.pools());
        Set<Object> alive = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Listener l : sources.listeners().values()) {
            alive.add(l);
            rate(l, l.traffic().sum(Listener.ACCEPTED), l.traffic().sum(LoopCounters.UP), l.traffic().sum(LoopCounters.DOWN),
                    seconds);
        }
        for (BackendPool pool : sources.pools().values()) {
            alive.add(pool);
            for (Backend b : pool.snapshot().backends()) {
                alive.add(b);
                rate(b, b.totalSessions(), b.traffic().sum(LoopCounters.UP), b.traffic().sum(LoopCounters.DOWN), seconds);
            }
        }
        rates.keySet().retainAll(alive);
        figures.keySet().retainAll(alive);
    }

    private void rate(Object key, long sessions, long up, long down, double seconds) {
        Rates r = rates.get(key);
        if (r == null) {
            r = new Rates();
            rates.put(key, r);
        } else if (seconds > 0) {
            r.sessionsPerS = (sessions - r.sessions) / seconds;
            r.upPerS = (up - r.up) / seconds;
            r.downPerS = (down - r.down) / seconds;
        }
        r.sessions = sessions;
        r.up = up;
        r.down = down;
    }

    private void serveRequests() {
        for (CompletableFuture<Map<String, Object>> request; (request = requests.poll()) != null; ) {
            try {
                request.complete(build());
            } catch (RuntimeException e) {
                request.completeExceptionally(e);
            }
        }
    }

    /**
     * Any thread: every figure as of now (see docs/metrics.md), built on the stats thread after it
     * has drained what the loops published so far.
     */
    public CompletableFuture<Map<String, Object>> report() {
        CompletableFuture<Map<String, Object>> request = new CompletableFuture<>();
        if (!running) {
            request.completeExceptionally(new IllegalStateException("stats stopped"));
            return request;
        }
        requests.add(request);
        LockSupport.unpark(thread);
        return request;
    }

    /** Connections closed for their PROXY header, by reason: for listeners that take one (or once did). */
    private static void putProxyRejected(Map<String, Object> m, Listener l) {
        Map<String, Object> byReason = new LinkedHashMap<>();
        long total = 0;
        for (ProxyHeaderParser.Failure reason : ProxyHeaderParser.Failure.values()) {
            long n = l.proxyRejected(reason);
            byReason.put(reason.label(), n);
            total += n;
        }
        if (l.proxyProtocol() != null || total > 0) {
            m.put("proxy_protocol_rejected", byReason);
        }
    }

    /** Listeners with routes by server name: sessions per route, and those that took none by reason. */
    private static void putRoutes(Map<String, Object> m, Listener l) {
        SniRoutes routes = l.sniRoutes();
        if (routes == null) {
            return;
        }
        List<Object> list = new ArrayList<>();
        for (SniRoutes.Target t : routes.targets()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", t.name());
            r.put("pool", t.pool().name());
            r.put("sessions_total", t.sessions());
            list.add(r);
        }
        m.put("routes", list);
        Map<String, Object> defaults = new LinkedHashMap<>();
        for (Listener.SniDefault reason : Listener.SniDefault.values()) {
            defaults.put(reason.label(), l.sniDefaults(reason));
        }
        m.put("sni_default", defaults);
    }

    private Map<String, Object> build() {
        if (!held) {
            drain();
        }
        departures.observe(sources.pools());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("enabled", figuresOn);
        result.put("events_processed", processed);
        result.put("events_dropped", dropped());
        result.put("access_log", accessLog.report());
        result.put("process", ProcessFigures.now(loops));
        List<Object> listeners = new ArrayList<>();
        for (Listener l : sources.listeners().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("bind", l.boundAddressText());
            m.put("pool", l.pool() != null ? l.pool().name() : null);
            m.put("active_sessions", l.activeSessions());
            m.put("paused", l.paused());
            m.put("sessions_total", l.traffic().sum(Listener.ACCEPTED));
            m.put("bytes_up", l.traffic().sum(LoopCounters.UP));
            m.put("bytes_down", l.traffic().sum(LoopCounters.DOWN));
            putProxyRejected(m, l);
            putRoutes(m, l);
            Map<String, Object> refused = new LinkedHashMap<>();
            for (ListenerAdmission.Refusal reason : ListenerAdmission.Refusal.values()) {
                refused.put(reason.label(), l.refused(reason));
            }
            m.put("refused", refused);
            if (l.admission() != null && l.admission().sources() != null) {
                m.put("tracked_sources", l.admission().sources().tracked());
                m.put("source_evictions", l.admission().sources().evictions());
            }
            putRates(m, l);
            putFigures(m, figures.get(l), false);
            listeners.add(m);
        }
        result.put("listeners", listeners);
        List<Object> pools = new ArrayList<>();
        for (BackendPool pool : sources.pools().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", pool.name());
            m.put("active_sessions", pool.activeSessions());
            m.put("sessions_refused", pool.sessionsRefused());
            m.put("panic", pool.poolHealth().panic());
            if (pool.discovery() != null) {
                Map<String, Object> lookups = new LinkedHashMap<>();
                for (DiscoveryFailure reason : DiscoveryFailure.values()) {
                    lookups.put(reason.label(), pool.discoveryState().failures(reason));
                }
                m.put("discovery_failures", lookups);
                m.put("discovery_failing", pool.discoveryState().failing() != null);
                m.put("discovery_backends", pool.discoveryState().answered());
            }
            List<Object> backends = new ArrayList<>();
            for (Backend b : pool.snapshot().backends()) {
                backends.add(backend(b));
            }
            // The pool's traffic is its backends': the current ones', plus what those that left it
            // had counted (so that its counters never go down); rates are the current backends'.
            for (String key : new String[] {"sessions_total", "sessions_per_s", "bytes_up", "bytes_down",
                "bytes_up_per_s", "bytes_down_per_s", "rejected_at_limit"}) {
                m.put(key, sum(backends, key));
            }
            long[] left = departures.totals(pool.name());
            m.put("sessions_total", (Long) m.get("sessions_total") + left[0]);
            m.put("bytes_up", (Long) m.get("bytes_up") + left[1]);
            m.put("bytes_down", (Long) m.get("bytes_down") + left[2]);
            m.put("rejected_at_limit", (Long) m.get("rejected_at_limit") + left[3]);
            Map<String, Object> failures = new LinkedHashMap<>();
            for (ConnectFailure cause : ConnectFailure.values()) {
                failures.put(cause.label(), backends.stream().mapToLong(b -> (Long) ((Map<?, ?>) ((Map<?, ?>) b)
                        .get("connect_failures")).get(cause.label())).sum() + departures.failures(pool.name(), cause));
            }
            m.put("connect_failures", failures);
            putFigures(m, figures.get(pool), false);
            m.put("backends", backends);
            pools.add(m);
        }
        result.put("pools", pools);
        return result;
    }

    private Map<String, Object> backend(Backend b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", b.name());
        m.put("address", Sockets.hostPort(b.address()));
        m.put("admin_state", b.adminState().name().toLowerCase(Locale.ROOT));
        m.put("health", b.healthState().name().toLowerCase(Locale.ROOT));
        m.put("ejected", b.isEjected());
        m.put("weight", b.weight());
        m.put("effective_weight", b.effectiveWeight(System.nanoTime()) / (double) Backend.WEIGHT_UNIT);
        m.put("active_sessions", b.activeSessions());
        m.put("sessions_total", b.totalSessions());
        m.put("bytes_up", b.traffic().sum(LoopCounters.UP));
        m.put("bytes_down", b.traffic().sum(LoopCounters.DOWN));
        putRates(m, b);
        Map<String, Object> failures = new LinkedHashMap<>();
        for (ConnectFailure cause : ConnectFailure.values()) {
            failures.put(cause.label(), b.connectFailures(cause));
        }
        m.put("connect_failures", failures);
        m.put("rejected_at_limit", b.rejectedAtLimit());
        m.put("ejections", b.ejections());
        m.put("health_changes", b.healthChanges());
        putFigures(m, figures.get(b), true);
        return m;
    }

    /** The sum of one figure over backend maps: a long for counts, a double for rates. */
    private static Object sum(List<Object> backends, String key) {
        double total = 0;
        boolean integral = true;
        for (Object b : backends) {
            Object value = ((Map<?, ?>) b).get(key);
            integral &= value instanceof Long;
            total += ((Number) value).doubleValue();
        }
        return integral ? (Object) (long) total : (Object) total;
    }

    private void putRates(Map<String, Object> m, Object key) {
        Rates r = rates.get(key);
        m.put("sessions_per_s", r == null ? 0.0 : r.sessionsPerS);
        m.put("bytes_up_per_s", r == null ? 0.0 : r.upPerS);
        m.put("bytes_down_per_s", r == null ? 0.0 : r.downPerS);
    }

    private static void putFigures(Map<String, Object> m, Figures f, boolean backend) {
        Figures figures = f != null ? f : new Figures();
        long nowNs = System.nanoTime();
        m.put("sessions_ended", figures.sessions);
        m.put("ended", figures.endsMap());
        m.put("retries", figures.retries);
        if (backend) {
            m.put("connect", figures.connect.toMap(nowNs));
        }
        m.put("first_byte", figures.firstByte.toMap(nowNs));
        m.put("duration", figures.duration.toMap(nowNs));
        Map<String, Object> timeouts = new LinkedHashMap<>();
        timeouts.put("idle", figures.ends[Termination.IDLE_TIMEOUT.ordinal()]);
        timeouts.put("half_close", figures.ends[Termination.HALF_CLOSE_TIMEOUT.ordinal()]);
        m.put("timeouts", timeouts);
    }

    /** Any thread: events dropped so far over every loop's ring. */
    public long dropped() {
        long total = 0;
        for (StatsRing ring : rings) {
            total += ring.dropped();
        }
        return total;
    }

    /** Any thread: events taken from the rings so far. */
    public long processed() {
        return processed;
    }

    /**
     * Any thread: stops (or resumes) draining the rings, as a stalled aggregator would; the loops
     * go on and drop what does not fit. For tests and diagnostics.
     */
    public void hold(boolean on) {
        held = on;
        LockSupport.unpark(thread);
    }

    /** Any thread: drains what is left (their access-log lines), answers waiting requests, stops the thread. */
    @Override
    public void close() {
        held = false;
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (CompletableFuture<Map<String, Object>> request; (request = requests.poll()) != null; ) {
            request.completeExceptionally(new IllegalStateException("stats stopped"));
        }
        accessLog.close(); // after the thread's last drain: the last sessions' lines are in the file
    }

    /** Where access-log lines go (SIGUSR1 reopens a file; tests stall its writer). */
    public AccessLog accessLog() {
        return accessLog;
    }
}
