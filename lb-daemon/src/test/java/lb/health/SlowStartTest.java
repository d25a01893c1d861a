package lb.health;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import lb.balance.Balancers;
import lb.balance.Hashing;
import lb.config.Algorithm;
import lb.config.BackendConfig;
import lb.config.BalancerOptions;
import lb.config.HealthConfig;
import lb.config.PoolConfig;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.ClientKey;

/**
 * Slow start reaches every algorithm that uses weights, hashing ones included, through the
 * ramped weights of the snapshots published during the ramp: a returning backend's share of new
 * sessions starts near 10% of its due share and grows to all of it.
 */
class SlowStartTest {

    private static final long RAMP_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int PICKS = 8000;

    static Stream<String> weightedAlgorithms() {
        return Algorithm.names().stream().filter(name -> !name.equals("round_robin")); // ignores weights by design
    }

    private static BackendPool pool(String algorithm) {
        List<BackendConfig> backends = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            backends.add(new BackendConfig("b" + i, new InetSocketAddress("127.1.0." + (i + 1), 80), 1));
        }
        return new BackendPool(new PoolConfig("test", algorithm, 2, null, null, null, backends, BalancerOptions.DEFAULTS,
                new HealthConfig(null, null, 0, Duration.ofNanos(RAMP_NS))), 1, Balancers::prepare);
    }

    /** The ramping backend's share of {@code PICKS} placed sessions, {@code elapsedNs} into its ramp. */
    private static double shareAt(String algorithm, long elapsedNs) {
        BackendPool pool = pool(algorithm);
        Backend ramping = pool.snapshot().backend(0);
        ramping.startRamp(System.nanoTime() - elapsedNs);
        pool.republish();
        Balancer balancer = pool.snapshot().balancer(0);
        int mine = 0;
        for (int i = 0; i < PICKS; i++) {
            byte[] ip = {11, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
            long hash = Hashing.address(ip, -1);
            ClientKey client = key -> hash;
            Backend b = balancer.pick(client, null);
            b.onSessionPlaced(); // load-aware algorithms see the sessions accumulate
            if (b == ramping) {
                mine++;
            }
        }
        return (double) mine / PICKS;
    }

    @ParameterizedTest
    @MethodSource("weightedAlgorithms")
    void returningBackendsShareRampsFromTenPercentToFull(String algorithm) {
        double start = shareAt(algorithm, 0);
        double middle = shareAt(algorithm, RAMP_NS / 2);
        double end = shareAt(algorithm, RAMP_NS + 1);
        // Weights 0.1 : 1 : 1 : 1 at the start, 0.55 : 1 : 1 : 1 half-way, 1 : 1 : 1 : 1 at the end.
        String shares = algorithm + ": " + start + " -> " + middle + " -> " + end;
        assertTrue(Math.abs(start - 0.1 / 3.1) < 0.04, "share at the start of the ramp; " + shares);
        assertTrue(Math.abs(middle - 0.55 / 3.55) < 0.05, "share half-way; " + shares);
        assertTrue(Math.abs(end - 0.25) < 0.04, "share after the ramp; " + shares);
        assertTrue(start < middle && middle < end, "the share grows; " + shares);
    }
}
