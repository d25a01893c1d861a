package lb.pool;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Any thread. One backend server of a pool. Identity and address never change; admin state, health
 * and weight are written by control threads (admin, health) and read by event loops as volatiles;
 * the active-session count is an atomic incremented and decremented by event loops.
 */
public final class Backend {

    private static final long CONNECT_WARNING_INTERVAL_NS = 1_000_000_000L;

    private final String name;
    private final InetSocketAddress address;

    // Written by control threads, rarely; read by loops on every pick.
    private volatile int weight;
    private volatile AdminState adminState = AdminState.ACTIVE;
    private volatile HealthState healthState = HealthState.UP;

    // Written by every loop that places a session here.
    private final AtomicInteger activeSessions = new AtomicInteger();
    private final AtomicLong totalSessions = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicLong lastConnectWarningNs = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressedConnectWarnings = new AtomicLong();

    public Backend(String name, InetSocketAddress address, int weight) {
        this.name = name;
        this.address = address;
        this.weight = weight;
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return address;
    }

    public int weight() {
        return weight;
    }

    public void weight(int weight) {
        this.weight = weight;
    }

    public AdminState adminState() {
        return adminState;
    }

    public void adminState(AdminState state) {
        this.adminState = state;
    }

    public HealthState healthState() {
        return healthState;
    }

    public void healthState(HealthState state) {
        this.healthState = state;
    }

    /**
     * The one predicate that decides whether a balancer may pick this backend for a new session:
     * active (not draining or disabled), healthy, and a weight above 0.
     */
    public boolean isEligible() {
        return adminState == AdminState.ACTIVE && healthState == HealthState.UP && weight > 0;
    }

    public int activeSessions() {
        return activeSessions.get();
    }

    public long totalSessions() {
        return totalSessions.get();
    }

    public long connectFailures() {
        return connectFailures.get();
    }

    /** Event loop: a session was placed on this backend (before its connect completes). */
    public void onSessionPlaced() {
        activeSessions.incrementAndGet();
        totalSessions.incrementAndGet();
    }

    /** Event loop: a session placed here has ended or moved to another backend. */
    public void onSessionReleased() {
        activeSessions.decrementAndGet();
    }

    /**
     * Event loop: a connect to this backend failed. Returns how many earlier failures went unlogged
     * when a warning should be logged now, or -1 to stay quiet: at most one warning per backend per
     * second, so a dead backend under load cannot flood the log.
     */
    public long onConnectFailed(long nowNs) {
        connectFailures.incrementAndGet();
        long last = lastConnectWarningNs.get();
        if (last != Long.MIN_VALUE && nowNs - last < CONNECT_WARNING_INTERVAL_NS) {
            suppressedConnectWarnings.incrementAndGet();
            return -1;
        }
        if (!lastConnectWarningNs.compareAndSet(last, nowNs)) {
            suppressedConnectWarnings.incrementAndGet();
            return -1;
        }
        return suppressedConnectWarnings.getAndSet(0);
    }

    @Override
    public String toString() {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return name + " (" + host + ":" + address.getPort() + ")";
    }
}
