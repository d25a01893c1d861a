package lb.bench.jmh;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.ThreadParams;

import lb.balance.Balancers;
import lb.balance.Hashing;
import lb.config.Algorithm;
import lb.config.BackendConfig;
import lb.config.BalancerOptions;
import lb.config.HashKey;
import lb.config.PoolConfig;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.PoolSnapshot;

/**
 * JMH threads only. Cost of one {@link Balancer#pick} for every algorithm, on a pool built without
 * sockets: {@code backends} backends on {@code 127.1.x.y:80} (loopback, never connected to) with weights
 * cycling 1..4, default {@link BalancerOptions}. Each JMH thread plays one event loop: it takes its
 * own balancer from the shared snapshot ({@code snapshot.balancer(threadIndex)}), as EventLoop-i
 * does, and places a rotating population of {@value #CLIENTS} distinct synthetic IPv4 clients so
 * that hashing algorithms see varied keys. {@code pick1} is one loop; {@code pick2} is two loops
 * picking concurrently from the same snapshot (shared backends, shared prepared tables).
 *
 * <p>Picks place no session (nothing calls {@link Backend#onSessionPlaced()}), so load-aware
 * algorithms see an idle pool throughout: this measures the decision, not a changing load.
 *
 * <p>Run: {@code java -cp bench/target/bench.jar org.openjdk.jmh.Main PickBenchmark -prof gc}, or
 * {@code bench/jmh-pick.sh}, which also prints a table.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class PickBenchmark {

    /** Size of the client population each thread cycles through; a power of two. */
    static final int CLIENTS = 4096;

    /** Shared by all threads: the pool's one published snapshot and what its balancers share. */
    @State(Scope.Benchmark)
    public static class PoolState {

        /** Every algorithm of the complete suite; one not (yet) registered fails its trial in setup. */
        @Param({"round_robin", "weighted_round_robin", "random", "least_conn", "power_of_two", "source_hash",
                "ring_hash", "maglev", "bounded_load"})
        public String algorithm;

        @Param({"3", "16", "256"})
        public int backends;

        PoolSnapshot snapshot;

        @Setup(Level.Trial)
        public void setUp(BenchmarkParams params) {
            if (!Algorithm.isKnown(algorithm)) {
                throw new IllegalStateException("algorithm '" + algorithm + "' is not registered in "
                        + "lb.config.Algorithm (registered: " + Algorithm.names() + "); skip it with "
                        + "-p algorithm=" + String.join(",", Algorithm.names()));
            }
            // One balancer slot per JMH thread, as the daemon has one per event loop.
            snapshot = pool(algorithm, backends, Math.max(1, params.getThreads())).snapshot();
        }
    }

    /** One per JMH thread: that thread's "event loop" balancer and its client population. */
    @State(Scope.Thread)
    public static class LoopState {

        Balancer balancer;
        ClientKey[] clients;
        int next;

        @Setup(Level.Trial)
        public void setUp(PoolState pool, ThreadParams thread) {
            balancer = pool.snapshot.balancer(thread.getThreadIndex());
            clients = new ClientKey[CLIENTS];
            // Threads get disjoint populations, as two loops accept different clients.
            int base = thread.getThreadIndex() * CLIENTS;
            for (int i = 0; i < CLIENTS; i++) {
                clients[i] = client(base + i);
            }
            if (balancer.pick(clients[0], null) == null) {
                throw new IllegalStateException(pool.algorithm + " picked nothing from an all-eligible pool");
            }
        }

        Backend pick() {
            ClientKey client = clients[next];
            next = (next + 1) & (CLIENTS - 1);
            return balancer.pick(client, null);
        }
    }

    /** One event loop picking. */
    @Benchmark
    @Threads(1)
    public Backend pick1(LoopState loop) {
        return loop.pick();
    }

    /** Two event loops picking concurrently from the same snapshot, each with its own balancer. */
    @Benchmark
    @Threads(2)
    public Backend pick2(LoopState loop) {
        return loop.pick();
    }

    /**
     * A pool of {@code n} backends {@code b0..} on literal addresses (no DNS, never connected to),
     * weights 1, 2, 3, 4, 1, ... and {@code loops} balancer slots.
     */
    static BackendPool pool(String algorithm, int n, int loops) {
        List<BackendConfig> backends = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            InetSocketAddress address = new InetSocketAddress("127.1." + (i / 250) + "." + (i % 250 + 1), 80);
            backends.add(new BackendConfig("b" + i, address, 1 + i % 4));
        }
        PoolConfig config = new PoolConfig("bench", algorithm, PoolConfig.DEFAULT_RETRIES, null, null, null, backends,
                BalancerOptions.DEFAULTS);
        return new BackendPool(config, loops, Balancers::prepare);
    }

    /** Client {@code i}: IPv4 address 11.x.y.z, source port 40000 + (i mod 16384), hashed as a Session does. */
    static ClientKey client(int i) {
        byte[] ip = {11, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
        return new Client(Hashing.address(ip, -1), Hashing.address(ip, 40_000 + (i & 0x3FFF)));
    }

    /** Immutable: a client's two precomputed hashes; {@link #clientHash} allocates nothing. */
    static final class Client implements ClientKey {
        private final long ipHash;
        private final long ipPortHash;

        Client(long ipHash, long ipPortHash) {
            this.ipHash = ipHash;
            this.ipPortHash = ipPortHash;
        }

        @Override
        public long clientHash(HashKey key) {
            return key == HashKey.CLIENT_IP ? ipHash : ipPortHash;
        }
    }
}
