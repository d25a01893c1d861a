package lb.config;

import java.time.Duration;
import java.util.List;

/**
 * Immutable; any thread. One {@code [[pool]]} table.
 *
 * @param name       unique among pools
 * @param algorithm  an {@link Algorithm}'s config name
 * @param retries    how many other backends a session tries after a failed connect
 * @param connectTimeout override of the listener's, or null
 * @param idleTimeout    override of the listener's, or null
 * @param halfCloseTimeout override of the listener's, or null
 * @param backends   at least one, unless {@code discovery} finds them
 * @param balancerOptions settings of the algorithms that use them
 * @param health     active and passive checks, panic threshold, slow start
 * @param proxyProtocol the PROXY protocol header each backend connection starts with, if any
 * @param discovery  backends from DNS besides those listed ({@code [pool.discovery]}), or null
 */
public record PoolConfig(String name, String algorithm, int retries, Duration connectTimeout, Duration idleTimeout,
                         Duration halfCloseTimeout, List<BackendConfig> backends, BalancerOptions balancerOptions,
                         HealthConfig health, ProxyProtocolSend proxyProtocol, DiscoveryConfig discovery) {

    public static final String DEFAULT_ALGORITHM = Algorithm.ROUND_ROBIN.configName();
    public static final int DEFAULT_RETRIES = 2;

    public PoolConfig {
        backends = List.copyOf(backends);
    }

    /** Without discovery. */
    public PoolConfig(String name, String algorithm, int retries, Duration connectTimeout, Duration idleTimeout,
                      Duration halfCloseTimeout, List<BackendConfig> backends, BalancerOptions balancerOptions,
                      HealthConfig health, ProxyProtocolSend proxyProtocol) {
        this(name, algorithm, retries, connectTimeout, idleTimeout, halfCloseTimeout, backends, balancerOptions, health,
                proxyProtocol, null);
    }

    /** The same pool with other backends (runtime changes laid over the file's); every other setting kept. */
    public PoolConfig withBackends(List<BackendConfig> otherBackends) {
        return new PoolConfig(name, algorithm, retries, connectTimeout, idleTimeout, halfCloseTimeout, otherBackends,
                balancerOptions, health, proxyProtocol, discovery);
    }

    /** Without a PROXY protocol header. */
    public PoolConfig(String name, String algorithm, int retries, Duration connectTimeout, Duration idleTimeout,
                      Duration halfCloseTimeout, List<BackendConfig> backends, BalancerOptions balancerOptions,
                      HealthConfig health) {
        this(name, algorithm, retries, connectTimeout, idleTimeout, halfCloseTimeout, backends, balancerOptions, health,
                ProxyProtocolSend.NONE);
    }

    /** With {@link BalancerOptions#DEFAULTS}. */
    public PoolConfig(String name, String algorithm, int retries, Duration connectTimeout, Duration idleTimeout,
                      Duration halfCloseTimeout, List<BackendConfig> backends) {
        this(name, algorithm, retries, connectTimeout, idleTimeout, halfCloseTimeout, backends, BalancerOptions.DEFAULTS);
    }

    /** With {@link HealthConfig#DEFAULTS}. */
    public PoolConfig(String name, String algorithm, int retries, Duration connectTimeout, Duration idleTimeout,
                      Duration halfCloseTimeout, List<BackendConfig> backends, BalancerOptions balancerOptions) {
        this(name, algorithm, retries, connectTimeout, idleTimeout, halfCloseTimeout, backends, balancerOptions,
                HealthConfig.DEFAULTS);
    }
}
