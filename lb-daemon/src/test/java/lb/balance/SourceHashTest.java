package lb.balance;

import static lb.config.Algorithm.SOURCE_HASH;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import lb.config.BalancerOptions;
import lb.config.HashKey;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.ClientKey;

/** {@code source_hash}: the same client to the same backend, clients spread exactly by weight. */
class SourceHashTest {

    private static final ClientKey[] CLIENTS = Placements.clients(100_000);
    private static final int[] WEIGHTS = {1, 2, 3, 4};

    /** With weights 1, 2, 3 over names a, b, c: a owns 0, b owns 1..2, c owns 3..5 of hash mod 6. */
    @Test
    void keyLandsByUnsignedHashModuloTotalWeight() {
        BackendPool pool = TestPools.pool(SOURCE_HASH.configName(), BalancerOptions.DEFAULTS, List.of("c", "a", "b"), 3, 1, 2);
        Balancer balancer = TestPools.balancer(pool);
        String[] owners = {"a", "b", "b", "c", "c", "c"};
        for (int h = 0; h < 12; h++) {
            assertEquals(owners[h % 6], balancer.pick(TestPools.hashed(h), null).name(), "hash " + h);
        }
        // 2^64 - 1 = 3 (mod 6); as a signed long it is -1.
        assertEquals("c", balancer.pick(TestPools.hashed(-1L), null).name());
    }

    @Test
    void sameIpv4ClientAlwaysGetsTheSameBackend() {
        assertSameBackendEveryTime("192.0.2.17");
    }

    @Test
    void sameIpv6ClientAlwaysGetsTheSameBackend() {
        assertSameBackendEveryTime("2001:db8::1");
    }

    @Test
    void clientsSpreadByWeightWithinOnePercent() {
        String[] picks = Placements.picks(pool(BalancerOptions.DEFAULTS), CLIENTS);
        Picks.assertSharesFollow(WEIGHTS, Placements.counts(picks, Placements.names(WEIGHTS.length)));
    }

    @Test
    void clientIpPortSpreadsOneAddressesPortsOverTheBackends() {
        Set<String> used = backendsForPorts(BalancerOptions.DEFAULTS.withHashKey(HashKey.CLIENT_IP_PORT), "192.0.2.17");
        assertEquals(Set.of("b0", "b1", "b2", "b3"), used, "1000 ports of one address");
        used = backendsForPorts(BalancerOptions.DEFAULTS.withHashKey(HashKey.CLIENT_IP_PORT), "2001:db8::1");
        assertEquals(Set.of("b0", "b1", "b2", "b3"), used, "1000 ports of one IPv6 address");
    }

    @Test
    void clientIpKeepsOneAddressesPortsTogether() {
        assertEquals(1, backendsForPorts(BalancerOptions.DEFAULTS, "192.0.2.17").size());
        assertEquals(1, backendsForPorts(BalancerOptions.DEFAULTS, "2001:db8::1").size());
    }

    /** The same client, from many ports, and in a pool built twice (another process): one backend. */
    private static void assertSameBackendEveryTime(String ip) {
        Backend first = TestPools.balancer(pool(BalancerOptions.DEFAULTS)).pick(TestPools.client(ip, 5000), null);
        assertEquals(Set.of(first.name()), backendsForPorts(BalancerOptions.DEFAULTS, ip));
        Balancer again = TestPools.balancer(pool(BalancerOptions.DEFAULTS));
        for (int i = 0; i < 100; i++) {
            assertEquals(first.name(), again.pick(TestPools.client(ip, 5000), null).name());
        }
    }

    /** The backends that connections from ports 40000..40999 of {@code ip} go to. */
    private static Set<String> backendsForPorts(BalancerOptions options, String ip) {
        Balancer balancer = TestPools.balancer(pool(options));
        Set<String> used = new TreeSet<>();
        for (int port = 40_000; port < 41_000; port++) {
            used.add(balancer.pick(TestPools.client(ip, port), null).name());
        }
        return used;
    }

    private static BackendPool pool(BalancerOptions options) {
        return TestPools.pool(SOURCE_HASH.configName(), options, WEIGHTS);
    }
}
