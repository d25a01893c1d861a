package lb.health;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.config.ActiveCheck;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.HealthState;

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
    private final BackendCheck[] backends;

    /** Owned by the HealthChecker thread. One backend's probing state. */
    private final class BackendCheck implements Probe.Verdicts {
        final Backend backend;
        final InetSocketAddress target;
        final RiseFall riseFall;
        long nextStartNs;
        Probe probe;
        long transitions;

        BackendCheck(Backend backend, long firstStartNs) {
            this.backend = backend;
            InetSocketAddress address = backend.address();
            this.target = check.port() == 0 ? address : new InetSocketAddress(address.getAddress(), check.port());
            this.riseFall = new RiseFall(check.rise(), check.fall(), backend.healthState() == HealthState.UP);
            this.nextStartNs = firstStartNs;
        }

        void start(long nowNs) {
            long deadlineNs = nowNs + timeoutNs;
            probe = switch (check.type()) {
                case TCP -> new TcpProbe(this, deadlineNs);
                case HTTP -> new HttpProbe(this, deadlineNs, check.path(), check.host() != null ? check.host()
                        : target.getHostString() + ":" + target.getPort(), check.statusMin(), check.statusMax());
                case SEND_EXPECT -> new SendExpectProbe(this, deadlineNs, check.send(), check.expect());
            };
            long jitterNs = ThreadLocalRandom.current().nextLong(intervalNs / 10 + 1);
            nextStartNs = nowNs + intervalNs + jitterNs;
            probe.start(checker, target, nowNs);
        }

        @Override
        public void onVerdict(Probe finished, String failure, long nowNs) {
            if (finished == probe) {
                probe = null;
            }
            boolean wasUp = riseFall.isUp();
            boolean initialPass = !wasUp && transitions == 0 && failure == null;
            if (!riseFall.record(failure == null)) {
                return;
            }
            transitions++;
            if (riseFall.isUp()) {
                if (!initialPass && backend.startRamp(nowNs)) {
                    // Coming back (at start-up every backend starts together): the ramp's first,
                    // lowest weights are published before the backend can be picked at all.
                    pool.republish();
                }
                backend.changeHealthState(HealthState.UP);
                LOG.info("pool {}: backend {} is UP{}", pool.name(), backend,
                        initialPass ? " (first check passed)" : " (" + check.rise() + " checks passed in a row)");
            } else {
                backend.changeHealthState(HealthState.DOWN);
                LOG.warn("pool {}: backend {} is DOWN: {} ({} failed check{} in a row)", pool.name(), backend, failure,
                        check.fall(), check.fall() == 1 ? "" : "s");
            }
        }
    }

    ActiveChecks(BackendPool pool, HealthChecker checker) {
        this.pool = pool;
        this.checker = checker;
        this.check = pool.health().active();
        this.intervalNs = check.interval().toNanos();
        this.timeoutNs = check.timeout().toNanos();
        List<Backend> list = pool.snapshot().backends();
        this.backends = new BackendCheck[list.size()];
        long nowNs = System.nanoTime();
        long spreadNs = Math.min(intervalNs / 4, FIRST_SPREAD_MAX_NS);
        for (int i = 0; i < backends.length; i++) {
            backends[i] = new BackendCheck(list.get(i), nowNs + spreadNs * i / Math.max(1, backends.length));
        }
    }

    @Override
    public long run(long nowNs) {
        long nextNs = nowNs + intervalNs;
        for (BackendCheck b : backends) {
            if (b.probe != null && nowNs - b.probe.deadlineNs() >= 0) {
                b.probe.expire(nowNs, timeoutNs / 1_000_000);
            }
            if (b.probe == null && nowNs - b.nextStartNs >= 0) {
                b.start(nowNs);
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
