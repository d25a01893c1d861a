package lb.balance;

import static lb.config.Algorithm.BOUNDED_LOAD;
import static lb.config.Algorithm.MAGLEV;
import static lb.config.Algorithm.RING_HASH;
import static lb.config.Algorithm.SOURCE_HASH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import lb.config.BackendConfig;
import lb.config.BalancerOptions;
import lb.config.PoolConfig;
import lb.pool.AdminState;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.HealthState;
import lb.pool.PoolSnapshot;

/**
 * Issue 18, a fleet of lb hosts behind ECMP that agree: every hashing algorithm maps a client to the
 * same backend whatever the order of {@code [[pool.backend]]} in the file and however many event
 * loops the process runs, so a flow landing on any host reaches the same backend. Without sessions
 * every backend is under its bound, so {@code bounded_load} is checked as its pure hash.
 */
class FleetConsistencyTest {

    private static final ClientKey[] CLIENTS = Placements.clients(100_000);
    private static final int SHUFFLES = 8;
    private static final int[] LOOP_COUNTS = {1, 2, 4};

    /**
     * The pool every host is given: named backends, backends named by their address as written
     * (the default name), IPv4 and IPv6, two ports of one address, weights 1 to 5.
     */
    private static final List<BackendConfig> BACKENDS = List.of(
            backend("web-a", "10.0.0.1", 8080, 1),
            backend("web-b", "10.0.0.2", 8080, 2),
            backend("web-c", "10.0.0.3", 8080, 3),
            backend("web-d", "10.0.1.1", 8080, 1),
            backend("web-e", "10.0.1.1", 8081, 5),
            backend("10.0.2.9:80", "10.0.2.9", 80, 1),
            backend("10.0.2.10:80", "10.0.2.10", 80, 2),
            backend("[2001:db8::7]:443", "2001:db8::7", 443, 1),
            backend("[2001:db8::10]:443", "2001:db8::10", 443, 4),
            backend("cache-1", "192.0.2.1", 6379, 1),
            backend("cache-10", "192.0.2.10", 6379, 1),
            backend("cache-2", "192.0.2.2", 6379, 3));

    static Stream<String> hashing() {
        return Stream.of(MAGLEV.configName(), RING_HASH.configName(), SOURCE_HASH.configName(),
                BOUNDED_LOAD.configName());
    }

    @ParameterizedTest
    @MethodSource("hashing")
    void sameBackendsInAnyOrderWithAnyLoopCountPlaceEveryClientAlike(String algorithm) {
        PoolSnapshot inFileOrder = new BackendPool(config(algorithm, BACKENDS), 1, Balancers::prepare).snapshot();
        String[] reference = placements(inFileOrder, inFileOrder.balancer(0));
        Random random = new Random(18);
        for (int shuffle = 0; shuffle < SHUFFLES; shuffle++) {
            List<BackendConfig> order = new ArrayList<>(BACKENDS);
            Collections.shuffle(order, random);
            for (int loops : LOOP_COUNTS) {
                PoolSnapshot snapshot = new BackendPool(config(algorithm, order), loops, Balancers::prepare).snapshot();
                String host = "order " + names(order) + ", " + loops + " loop(s)";
                for (int loop = 0; loop < loops; loop++) {
                    assertSamePlacements(reference, placements(snapshot, snapshot.balancer(loop)),
                            host + ", loop " + loop);
                }
                // What lb-cli explain asks.
                assertSamePlacements(reference, placements(snapshot, snapshot.detachedBalancer()), host + ", explain");
            }
        }
    }

    /**
     * A reload that renames {@code a} (at .1) to {@code x} and adds a new {@code a} (at .3) must leave
     * the pool as a fresh start of the new config would: backends a, b and x, placing every client
     * where a host that started with that config places it, whatever the list order or loop count.
     * (Before, the renamed backend kept its old name, and a reloaded host disagreed with a fresh one.)
     */
    @ParameterizedTest
    @MethodSource("hashing")
    void aReloadThatRenamesPlacesClientsAsAFreshStartWould(String algorithm) {
        List<BackendConfig> before = List.of(backend("a", "10.9.0.1", 80, 1), backend("b", "10.9.0.2", 80, 2));
        List<BackendConfig> after = List.of(backend("x", "10.9.0.1", 80, 1), backend("a", "10.9.0.3", 80, 1),
                backend("b", "10.9.0.2", 80, 2));
        PoolSnapshot fresh = new BackendPool(config(algorithm, after), 1, Balancers::prepare).snapshot();
        String[] reference = placements(fresh, fresh.balancer(0));
        for (List<BackendConfig> order : permutations(after)) {
            for (int loops : LOOP_COUNTS) {
                BackendPool pool = new BackendPool(config(algorithm, before), loops, Balancers::prepare);
                List<String> changes = pool.reconfigure(config(algorithm, order));
                PoolSnapshot snapshot = pool.snapshot();
                assertEquals(List.of("a", "b", "x"), snapshot.backends().stream().map(Backend::name).sorted().toList(),
                        "the renamed backend carries its new name");
                assertTrue(changes.contains("pool fleet: backend a renamed x (0 open session(s) continue under the "
                        + "old name)"), changes.toString());
                assertFalse(changes.stream().anyMatch(c -> c.contains("removed backend a")), changes.toString());
                for (int loop = 0; loop < loops; loop++) {
                    assertSamePlacements(reference, placements(snapshot, snapshot.balancer(loop)),
                            "reloaded to " + names(order) + ", " + loops + " loop(s), loop " + loop);
                }
            }
        }
    }

    /** A rename takes nothing out of rotation or back into it: health and drain state carry over. */
    @ParameterizedTest
    @MethodSource("hashing")
    void aRenamedBackendKeepsItsHealthAndDrainState(String algorithm) {
        BackendPool pool = new BackendPool(config(algorithm, List.of(backend("a", "10.9.0.1", 80, 1),
                backend("b", "10.9.0.2", 80, 1))), 2, Balancers::prepare);
        for (Backend b : pool.snapshot().backends()) {
            b.healthState(b.name().equals("a") ? HealthState.DOWN : HealthState.UP);
            b.adminState(b.name().equals("b") ? AdminState.DRAINING : AdminState.ACTIVE);
        }
        pool.reconfigure(config(algorithm, List.of(backend("x", "10.9.0.1", 80, 1), backend("y", "10.9.0.2", 80, 1))));
        Map<String, Backend> byName = new java.util.HashMap<>();
        pool.snapshot().backends().forEach(b -> byName.put(b.name(), b));
        assertEquals(java.util.Set.of("x", "y"), byName.keySet());
        assertEquals(HealthState.DOWN, byName.get("x").healthState());
        assertEquals(AdminState.ACTIVE, byName.get("x").adminState());
        assertEquals(HealthState.UP, byName.get("y").healthState());
        assertEquals(AdminState.DRAINING, byName.get("y").adminState());
    }

    /** Each client's backend as "name@address", so that two backends sharing a name are told apart. */
    private static String[] placements(PoolSnapshot snapshot, Balancer balancer) {
        Map<Backend, String> keys = new IdentityHashMap<>();
        for (Backend b : snapshot.backends()) {
            keys.put(b, b.name() + "@" + b.address());
        }
        String[] placed = new String[CLIENTS.length];
        for (int i = 0; i < CLIENTS.length; i++) {
            Backend b = balancer.pick(CLIENTS[i], null);
            assertNotNull(b, "client " + i);
            placed[i] = keys.get(b);
        }
        return placed;
    }

    private static void assertSamePlacements(String[] expected, String[] actual, String host) {
        int differ = 0;
        int first = -1;
        for (int i = 0; i < expected.length; i++) {
            if (!expected[i].equals(actual[i])) {
                differ++;
                first = first < 0 ? i : first;
            }
        }
        if (differ > 0) {
            fail(differ + " of " + expected.length + " clients placed differently with " + host + "; first: client "
                    + first + " on " + actual[first] + " instead of " + expected[first]);
        }
    }

    /** Every order of {@code items}. */
    private static <T> List<List<T>> permutations(List<T> items) {
        if (items.size() <= 1) {
            return List.of(items);
        }
        List<List<T>> all = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T first = rest.remove(i);
            for (List<T> tail : permutations(rest)) {
                List<T> order = new ArrayList<>();
                order.add(first);
                order.addAll(tail);
                all.add(order);
            }
        }
        return all;
    }

    private static PoolConfig config(String algorithm, List<BackendConfig> backends) {
        return new PoolConfig("fleet", algorithm, 2, null, null, null, backends, BalancerOptions.DEFAULTS);
    }

    private static BackendConfig backend(String name, String ip, int port, int weight) {
        return new BackendConfig(name, new InetSocketAddress(ip, port), weight); // literals: no DNS
    }

    private static List<String> names(List<BackendConfig> backends) {
        return backends.stream().map(BackendConfig::name).toList();
    }
}
