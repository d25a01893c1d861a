package lb.balance;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import lb.config.BackendConfig;
import lb.config.BalancerOptions;
import lb.config.HashKey;
import lb.config.PoolConfig;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.PoolSnapshot;

/**
 * Test thread only. Pools and clients for balancer tests, without sockets: backends named
 * {@code b0, b1, ...} on {@code 127.1.0.x:80} (loopback, never connected to), and {@link ClientKey}s from
 * literal addresses hashed exactly as a session hashes its client.
 */
public final class TestPools {

    private TestPools() {
    }

    /** A pool of {@code weights.length} backends {@code b0..} with these weights, one loop. */
    public static BackendPool pool(String algorithm, BalancerOptions options, int... weights) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            names.add("b" + i);
        }
        return pool(algorithm, options, names, weights);
    }

    /** A pool of backends with these names and weights (in this order), one loop. */
    public static BackendPool pool(String algorithm, BalancerOptions options, List<String> names, int... weights) {
        return pool(algorithm, options, names, weights, 1);
    }

    /** As {@link #pool(String, BalancerOptions, List, int...)}, with {@code loops} balancer slots. */
    public static BackendPool pool(String algorithm, BalancerOptions options, List<String> names, int[] weights,
                                   int loops) {
        if (names.size() != weights.length) {
            throw new IllegalArgumentException(names.size() + " names, " + weights.length + " weights");
        }
        List<BackendConfig> backends = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            // A literal IP resolves without DNS; port 80 is never connected to.
            InetSocketAddress address = new InetSocketAddress("127.1." + (i / 250) + "." + (i % 250 + 1), 80);
            backends.add(new BackendConfig(names.get(i), address, weights[i]));
        }
        PoolConfig config = new PoolConfig("test", algorithm, 2, null, null, null, backends, options);
        return new BackendPool(config, loops, Balancers::prepare);
    }

    /**
     * A pool of backends with these names, weights and tiers ({@code lb.config.Tiers}: 0 for a
     * plain backend, {@code Tiers.BACKUP} for a backup), addresses as {@link #pool}'s, one loop.
     */
    public static BackendPool tiered(String algorithm, BalancerOptions options, List<String> names, int[] weights,
                                     int[] tiers) {
        List<BackendConfig> backends = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            InetSocketAddress address = new InetSocketAddress("127.1." + (i / 250) + "." + (i % 250 + 1), 80);
            backends.add(new BackendConfig(names.get(i), address, weights[i], 0, tiers[i]));
        }
        PoolConfig config = new PoolConfig("test", algorithm, 2, null, null, null, backends, options);
        return new BackendPool(config, 1, Balancers::prepare);
    }

    /** Equal weights 1 for {@code n} backends. */
    public static int[] equalWeights(int n) {
        int[] weights = new int[n];
        java.util.Arrays.fill(weights, 1);
        return weights;
    }

    /** Loop 0's balancer of the pool's current snapshot. */
    public static Balancer balancer(BackendPool pool) {
        return pool.snapshot().balancer(0);
    }

    /** A client at {@code ip} (IPv4 or IPv6 literal) and {@code port}, hashed as a Session does. */
    public static ClientKey client(String ip, int port) {
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(ip).getAddress(); // a literal: no DNS
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
        long ipHash = Hashing.address(bytes, -1);
        long ipPortHash = Hashing.address(bytes, port);
        return key -> key == HashKey.CLIENT_IP ? ipHash : ipPortHash;
    }

    /** Client number {@code i} of a synthetic population: distinct IPv4 addresses 11.x.y.z. */
    public static ClientKey client(int i) {
        byte[] bytes = {11, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
        long ipHash = Hashing.address(bytes, -1);
        long ipPortHash = Hashing.address(bytes, 40_000 + (i & 0x3FFF));
        return key -> key == HashKey.CLIENT_IP ? ipHash : ipPortHash;
    }

    /** A client whose key hashes are exactly {@code hash} (for hand-checked placements). */
    public static ClientKey hashed(long hash) {
        return key -> hash;
    }

    /** The snapshot's index of {@code backend}, or -1. */
    public static int indexOf(PoolSnapshot snapshot, lb.pool.Backend backend) {
        return snapshot.backends().indexOf(backend);
    }
}
