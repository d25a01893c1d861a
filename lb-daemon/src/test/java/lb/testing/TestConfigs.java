package lb.testing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import lb.config.AccessLogFormat;
import lb.config.AdmissionConfig;
import lb.config.BackendConfig;
import lb.config.BalancerOptions;
import lb.config.Config;
import lb.config.DaemonConfig;
import lb.config.HealthConfig;
import lb.config.ListenerConfig;
import lb.config.PoolConfig;
import lb.config.ProxyProtocolAccept;
import lb.config.ProxyProtocolSend;
import lb.config.SocketOptions;
import lb.config.Timeouts;

/**
 * Not thread-safe (a builder). Daemon configurations for tests: listeners on 127.0.0.1:0, each with
 * its own round-robin pool; backends are named {@code b1, b2, ...} in the order given. The first
 * route is listener {@value #LISTENER} on pool {@value #POOL}; more can be added with
 * {@link #route}. Timeouts, limits and socket options apply to every route.
 */
public final class TestConfigs {

    public static final String LISTENER = "test";
    public static final String POOL = "pool";

    private record Route(String listener, String pool, List<InetSocketAddress> backends) {
    }

    private final List<Route> routes = new ArrayList<>();
    private int workers = 2;
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private boolean accessLog;
    private Path accessLogFile;
    private AccessLogFormat accessLogFormat = AccessLogFormat.LOGFMT;
    private int bufferSize = DaemonConfig.DEFAULT_BUFFER_SIZE;
    private long bufferPoolMax = DaemonConfig.DEFAULT_BUFFER_POOL_MAX;
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Duration idleTimeout = Duration.ofSeconds(30);
    private Duration halfCloseTimeout = Duration.ofSeconds(30);
    private int maxConnections = ListenerConfig.DEFAULT_MAX_CONNECTIONS;
    private int backlog = ListenerConfig.DEFAULT_BACKLOG;
    private ListenerConfig.AcceptMode acceptMode = ListenerConfig.AcceptMode.REUSEPORT;
    private SocketOptions socket = SocketOptions.DEFAULTS;
    private int retries = PoolConfig.DEFAULT_RETRIES;
    private String algorithm = PoolConfig.DEFAULT_ALGORITHM;
    private BalancerOptions balancerOptions = BalancerOptions.DEFAULTS;
    private int backendMaxConnections;
    private HealthConfig health = HealthConfig.DEFAULTS;
    private ProxyProtocolAccept proxyAccept;
    private ProxyProtocolSend proxySend = ProxyProtocolSend.NONE;
    private AdmissionConfig admission = AdmissionConfig.NONE;

    private TestConfigs() {
    }

    /** Listener {@value #LISTENER} balancing over {@code backends}. */
    public static TestConfigs balancing(List<InetSocketAddress> backends) {
        return new TestConfigs().route(LISTENER, POOL, backends);
    }

    public static TestConfigs balancing(InetSocketAddress... backends) {
        return balancing(List.of(backends));
    }

    public TestConfigs route(String listener, String pool, List<InetSocketAddress> backends) {
        routes.add(new Route(listener, pool, List.copyOf(backends)));
        return this;
    }

    public TestConfigs workers(int workers) {
        this.workers = workers;
        return this;
    }

    public TestConfigs shutdownGrace(Duration grace) {
        this.shutdownGrace = grace;
        return this;
    }

    public TestConfigs accessLog(boolean on) {
        this.accessLog = on;
        return this;
    }

    /** Access-log lines to {@code file}, written as {@code format}. */
    public TestConfigs accessLogFile(Path file, AccessLogFormat format) {
        this.accessLog = true;
        this.accessLogFile = file;
        this.accessLogFormat = format;
        return this;
    }

    public TestConfigs bufferSize(int bytes) {
        this.bufferSize = bytes;
        return this;
    }

    public TestConfigs bufferPoolMax(long bytes) {
        this.bufferPoolMax = bytes;
        return this;
    }

    public TestConfigs connectTimeout(Duration timeout) {
        this.connectTimeout = timeout;
        return this;
    }

    /** Zero = none. */
    public TestConfigs idleTimeout(Duration timeout) {
        this.idleTimeout = timeout;
        return this;
    }

    /** Zero = none. */
    public TestConfigs halfCloseTimeout(Duration timeout) {
        this.halfCloseTimeout = timeout;
        return this;
    }

    public TestConfigs maxConnections(int max) {
        this.maxConnections = max;
        return this;
    }

    public TestConfigs backlog(int backlog) {
        this.backlog = backlog;
        return this;
    }

    public TestConfigs acceptMode(ListenerConfig.AcceptMode mode) {
        this.acceptMode = mode;
        return this;
    }

    public TestConfigs socket(SocketOptions options) {
        this.socket = options;
        return this;
    }

    public TestConfigs retries(int retries) {
        this.retries = retries;
        return this;
    }

    public TestConfigs algorithm(String name) {
        this.algorithm = name;
        return this;
    }

    public TestConfigs balancerOptions(BalancerOptions options) {
        this.balancerOptions = options;
        return this;
    }

    /** {@code max_connections} of every backend; 0 = none. */
    public TestConfigs backendMaxConnections(int max) {
        this.backendMaxConnections = max;
        return this;
    }

    /** Health checks, panic threshold and slow start of every pool. */
    public TestConfigs health(HealthConfig health) {
        this.health = health;
        return this;
    }

    /** The PROXY protocol header every listener takes first; null = none. */
    public TestConfigs proxyAccept(ProxyProtocolAccept accept) {
        this.proxyAccept = accept;
        return this;
    }

    /** Allow/deny lists and connection limits of every listener. */
    public TestConfigs admission(AdmissionConfig admission) {
        this.admission = admission;
        return this;
    }

    /** The PROXY protocol header every pool's backends get first. */
    public TestConfigs proxySend(ProxyProtocolSend send) {
        this.proxySend = send;
        return this;
    }

    public Config build() {
        List<ListenerConfig> listeners = new ArrayList<>();
        List<PoolConfig> pools = new ArrayList<>();
        Timeouts timeouts = new Timeouts(connectTimeout, idleTimeout, halfCloseTimeout);
        for (Route route : routes) {
            listeners.add(new ListenerConfig(route.listener(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    route.pool(), timeouts, maxConnections, backlog, acceptMode, socket, proxyAccept, admission));
            List<BackendConfig> backends = new ArrayList<>();
            for (int i = 0; i < route.backends().size(); i++) {
                backends.add(new BackendConfig("b" + (i + 1), route.backends().get(i), BackendConfig.DEFAULT_WEIGHT,
                        backendMaxConnections));
            }
            pools.add(new PoolConfig(route.pool(), algorithm, retries, null, null, null, backends, balancerOptions,
                    health, proxySend));
        }
        return new Config(Optional.empty(), new DaemonConfig(workers, shutdownGrace, accessLog, bufferSize, bufferPoolMax,
                null, null, null, true, accessLogFile, accessLogFormat),
                listeners, pools);
    }
}
