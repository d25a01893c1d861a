package lb.health;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.config.ActiveCheck;
import lb.config.ProxyProtocolSend;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.HealthState;
import lb.proxyproto.ProxyHeaderWriter;

/**
 * Owned by the HealthChecker thread. The active checks of one pool: one probe per backend per
 * interval, non-blocking on the checker's selector. Every backend's first probe starts right away
 * (spread over at most 100 ms so that a pool is not hit in one instant); each next one starts
 * {@code interval} plus up to 10% jitter after the previous start, so probes of one backend are
 * never closer than {@code interval} and backends drift apart rather than stay in lock-step.
 */
final class ActiveChecks implements HealthChecker.Task {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveChecks.class);
    private static final long FIRST_SPREAD_MAX_NS = 100_000_000L;

    private final BackendPool pool;
    private final HealthChecker checker;
    private final ActiveCheck check;
    private final long intervalNs;
    private final long timeoutNs;
    /** send_expect: the reply's expected prefix, one copy for all probes (the record hands out clones). */
    private final byte[] expect;
    private BackendCheck[] backends;
    // The backend list the array was built from; a pool change publishes another.
    private List<Backend> known;

    /** Owned by the HealthChecker thread. One backend's probing state. */
    private final class BackendCheck implements Probe.Verdicts {
        final Backend backend;
        final InetSocketAddress target;
        /** What each probe sends: built once, shared by every probe of this backend (never written). */
        byte[] request;
        // The pool's PROXY protocol setting the request was built for (a reload may change it).
        ProxyProtocolSend requestProxy;
        final RiseFall riseFall;
        long nextStartNs;
        Probe probe;
        boolean removed;
        long probes;
        long transitions;

        BackendCheck(Backend backend, long firstStartNs) {
            this.backend = backend;
            InetSocketAddress address = backend.address();
            this.target = check.port() == 0 ? address : new InetSocketAddress(address.getAddress(), check.port());
            this.requestProxy = pool.proxyProtocol();
            this.request = request(requestProxy);
            this.riseFall = new RiseFall(check.rise(), check.fall(), backend.healthState() == HealthState.UP);
            this.nextStartNs = firstStartNs;
        }

        /**
         * What a probe sends. When the pool's backends take a PROXY protocol header, a probe that
         * sends bytes starts with one that names no client (v1 "PROXY UNKNOWN", v2 LOCAL), as a
         * server that requires the header would otherwise refuse it; a TCP check sends nothing.
         */
        private byte[] request(ProxyProtocolSend proxy) {
            byte[] body = switch (check.type()) {
                case TCP -> new byte[0];
                case HTTP -> HttpProbe.request(check.path(), check.host() != null ? check.host() : hostHeader(target));
                case SEND_EXPECT -> check.send();
            };
            if (body.length == 0 || proxy == ProxyProtocolSend.NONE) {
                return body;
            }
            ByteBuffer out = ByteBuffer.allocate(ProxyHeaderWriter.MAX_V2_BYTES + body.length);
            byte[] none = new byte[16];
            if (proxy == ProxyProtocolSend.V1) {
                ProxyHeaderWriter.v1(out, none, none, 0, 0, 0);
            } else {
                ProxyHeaderWriter.v2(out, none, none, 0, 0, 0, -1);
            }
            out.put(body);
            return Arrays.copyOf(out.array(), out.position());
        }

        void start(long nowNs) {
            if (pool.proxyProtocol() != requestProxy) {
                requestProxy = pool.proxyProtocol();
                request = request(requestProxy);
            }
            long deadlineNs = nowNs + timeoutNs;
            probe = switch (check.type()) {
                case TCP -> new TcpProbe(this, deadlineNs);
                case HTTP -> new HttpProbe(this, deadlineNs, request, check.statusMin(), check.statusMax());
                case SEND_EXPECT -> new SendExpectProbe(this, deadlineNs, request, expect);
            };
            long jitterNs = ThreadLocalRandom.current().nextLong(intervalNs / 10 + 1);
            nextStartNs = nowNs + intervalNs + jitterNs;
            probe.start(checker.selector(), target, nowNs);
        }

        @Override
        public void onVerdict(Probe finished, String failure, long nowNs) {
            if (finished == probe) {
                probe = null;
            }
            if (removed) {
                return;
            }
            // Only a first probe that passes takes an initially-DOWN backend UP (RiseFall). A backend
            // that was never checked does not ramp when it comes up so: at start-up the whole pool
            // comes up together, and HAProxy's slowstart likewise applies only to a server that was
            // seen failing, which this one then was not. One added to a running pool does ramp.
            boolean initialPass = probes++ == 0 && failure == null && !riseFall.isUp();
            boolean startUp = backend.awaitingFirstCheck() && !backend.rampsOnFirstPass();
            boolean changed = riseFall.record(failure == null);
            if (changed) {
                transitions++;
                if (riseFall.isUp()) {
                    up(initialPass, startUp, nowNs);
                } else {
                    backend.changeHealthState(HealthState.DOWN);
                    LOG.warn("pool {}: backend {} is DOWN: {} ({} failed check{} in a row)", pool.name(), backend,
                            failure, check.fall(), check.fall() == 1 ? "" : "s");
                }
            }
            // Last, once its state says what the probe found: from now on panic mode counts it, and
            // in panic it may be picked.
            backend.firstCheckDone();
        }

        private void up(boolean initialPass, boolean startUp, long nowNs) {
            // Still ejected, it is not back yet: its ramp starts when the ejection ends
            // (OutlierDetector), so a backend back from both DOWN and ejection ramps once.
            if (!startUp && !backend.isEjected() && backend.startRamp(nowNs)) {
                // Coming back: the ramp's first, lowest weights are published before the
                // backend can be picked at all.
                checker.republish(pool);
            }
            backend.changeHealthState(HealthState.UP);
            LOG.info("pool {}: backend {} is UP{}", pool.name(), backend,
                    initialPass ? " (first check passed)" : " (" + check.rise() + " passed check"
                            + (check.rise() == 1 ? "" : "s") + " in a row)");
        }
    }

    ActiveChecks(BackendPool pool, HealthChecker checker) {
        this.pool = pool;
        this.checker = checker;
        this.check = pool.health().active();
        this.intervalNs = check.interval().toNanos();
        this.timeoutNs = check.timeout().toNanos();
        this.expect = check.expect();
        List<Backend> list = pool.snapshot().backends();
        this.known = list;
        this.backends = new BackendCheck[list.size()];
        long nowNs = System.nanoTime();
        long spreadNs = Math.min(intervalNs / 4, FIRST_SPREAD_MAX_NS);
        for (int i = 0; i < backends.length; i++) {
            backends[i] = new BackendCheck(list.get(i), nowNs + spreadNs * i / Math.max(1, backends.length));
        }
    }

    /**
     * The pool's backends changed (added or removed at runtime): keep the state of those still
     * there, probe new ones at once, and drop removed ones (an in-flight probe is closed, its
     * verdict ignored).
     */
    private void reconcile(List<Backend> current, long nowNs) {
        BackendCheck[] next = new BackendCheck[current.size()];
        for (int i = 0; i < next.length; i++) {
            Backend b = current.get(i);
            for (BackendCheck existing : backends) {
                if (existing.backend == b) {
                    next[i] = existing;
                    break;
                }
            }
            if (next[i] == null) {
                next[i] = new BackendCheck(b, nowNs);
            }
        }
        for (BackendCheck old : backends) {
            if (!current.contains(old.backend)) {
                old.removed = true;
                if (old.probe != null) {
                    old.probe.expire(nowNs, 0);
                }
            }
        }
        backends = next;
        known = current;
    }

    @Override
    public long run(long nowNs) {
        List<Backend> current = pool.snapshot().backends();
        if (current != known) {
            reconcile(current, nowNs);
        }
        long nextNs = nowNs + intervalNs;
        for (BackendCheck b : backends) {
            if (b.probe != null && nowNs - b.probe.deadlineNs() >= 0) {
                b.probe.expire(nowNs, timeoutNs / 1_000_000);
            }
            if (b.probe == null && nowNs - b.nextStartNs >= 0) {
                // The clock again rather than the pass's nowNs: a pass that starts many probes takes
                // a while, and the next probe of this backend must be an interval after this one's
                // connect, not after the pass began.
                b.start(System.nanoTime());
            }
            if (b.probe != null && b.probe.deadlineNs() - nextNs < 0) {
                nextNs = b.probe.deadlineNs();
            }
            if (b.nextStartNs - nextNs < 0) {
                nextNs = b.nextStartNs;
            }
        }
        return nextNs;
    }

    @Override
    public void stop(long nowNs) {
        for (BackendCheck b : backends) {
            b.removed = true;
            if (b.probe != null) {
                b.probe.expire(nowNs, 0);
            }
        }
    }

    /** {@code host:port} for a Host header; an IPv6 literal goes in brackets (RFC 7230 §5.4, RFC 3986 §3.2.2). */
    static String hostHeader(InetSocketAddress address) {
        String host = address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** State changes of {@code backend} so far (tests). */
    long transitions(Backend backend) {
        for (BackendCheck b : backends) {
            if (b.backend == backend) {
                return b.transitions;
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return "active checks of pool " + pool.name();
    }
}
