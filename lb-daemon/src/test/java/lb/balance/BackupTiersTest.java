package lb.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import lb.config.Algorithm;
import lb.config.BackendConfig;
import lb.config.BalancerOptions;
import lb.config.HashFallback;
import lb.config.PoolConfig;
import lb.config.Tiers;
import lb.pool.AdminState;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.HealthState;
import lb.pool.PoolSnapshot;

/**
 * Backup tiers, for every algorithm: a backup takes a session only while no backend of a better tier
 * is eligible, whatever made the primaries ineligible (health, drain, disable, ejection, connection
 * limit), and the primaries take new sessions again the moment one is back; hashing over the
 * primaries does not depend on the backups.
 */
class BackupTiersTest {

    private static final int CLIENTS = 2000;
    private static final int BACKUP = Tiers.BACKUP;

    static Stream<String> algorithms() {
        return Algorithm.names().stream();
    }

    static Stream<String> hashing() {
        return Stream.of("source_hash", "ring_hash", "maglev", "bounded_load");
    }

    /** p0, p1, p2 (tier 0), s0, s1 (backups), weights 1, 2, 3, 1, 2. */
    private static BackendPool primariesAndBackups(String algorithm) {
        return TestPools.tiered(algorithm, BalancerOptions.DEFAULTS, List.of("p0", "p1", "p2", "s0", "s1"),
                new int[] {1, 2, 3, 1, 2}, new int[] {0, 0, 0, BACKUP, BACKUP});
    }

    /** Which backends {@code n} picks (clients 0..n-1, no avoid) chose; each placed session stays open. */
    private static Set<String> picks(Balancer balancer, int n) {
        Set<String> chosen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Backend b = balancer.pick(TestPools.client(i), null);
            assertNotNull(b, "pick " + i + " found nothing");
            chosen.add(b.name());
        }
        return chosen;
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void backupsGetNothingWhileAPrimaryIsEligible(String algorithm) {
        BackendPool pool = primariesAndBackups(algorithm);
        List<Backend> b = pool.snapshot().backends();
        Balancer balancer = TestPools.balancer(pool);
        assertEquals(Set.of("p0", "p1", "p2"), picks(balancer, CLIENTS), "all primaries, no backup");
        // Down to one primary, by three different means: still no backup.
        b.get(0).healthState(HealthState.DOWN);
        b.get(1).adminState(AdminState.DRAINING);
        assertEquals(Set.of("p2"), picks(balancer, CLIENTS), "the last primary takes everything");
        b.get(1).adminState(AdminState.DISABLED);
        assertEquals(Set.of("p2"), picks(balancer, CLIENTS));
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void backupsTakeSessionsWhenNoPrimaryIsEligibleAndPrimariesTakeThemBackAtOnce(String algorithm) {
        BackendPool pool = primariesAndBackups(algorithm);
        List<Backend> b = pool.snapshot().backends();
        Balancer balancer = TestPools.balancer(pool);
        b.get(0).healthState(HealthState.DOWN);
        b.get(1).adminState(AdminState.DRAINING);
        b.get(2).adminState(AdminState.DISABLED);
        assertEquals(Set.of("s0", "s1"), picks(balancer, CLIENTS), "backups, balanced among themselves");
        assertEquals(BACKUP, pool.snapshot().servingTier(null));
        // No new snapshot: eligibility is read live, so the primary coming back wins the next pick.
        b.get(0).healthState(HealthState.UP);
        assertEquals(Set.of("p0"), picks(balancer, CLIENTS), "the primary back takes every new session");
        assertEquals(0, pool.snapshot().servingTier(null));
        b.get(0).healthState(HealthState.DOWN);
        b.get(2).adminState(AdminState.ACTIVE);
        assertEquals(Set.of("p2"), picks(balancer, CLIENTS), "enabled again: back to the primary");
        // A backup down too: the other backup alone.
        b.get(2).adminState(AdminState.DRAINING);
        b.get(3).healthState(HealthState.DOWN);
        assertEquals(Set.of("s1"), picks(balancer, CLIENTS));
        b.get(4).healthState(HealthState.DOWN);
        for (int i = 0; i < 100; i++) {
            assertNull(balancer.pick(TestPools.client(i), null), "nothing eligible in any tier");
        }
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void primariesAtTheirConnectionLimitOverflowToBackups(String algorithm) {
        List<BackendConfig> backends = new ArrayList<>();
        backends.add(new BackendConfig("p0", new java.net.InetSocketAddress("127.1.0.1", 80), 1, 2, 0));
        backends.add(new BackendConfig("s0", new java.net.InetSocketAddress("127.1.0.2", 80), 1, 0, BACKUP));
        BackendPool pool = new BackendPool(new PoolConfig("test", algorithm, 2, null, null, null, backends,
                BalancerOptions.DEFAULTS), 1, Balancers::prepare);
        Backend p0 = pool.snapshot().backend(0);
        Balancer balancer = TestPools.balancer(pool);
        for (int i = 0; i < 2; i++) {
            Backend picked = balancer.pick(TestPools.client(i), null);
            assertSame(p0, picked, "room on the primary");
            assertTrue(picked.tryPlace());
        }
        assertEquals("s0", balancer.pick(TestPools.client(2), null).name(), "primary full: the backup");
        p0.onSessionReleased();
        assertSame(p0, balancer.pick(TestPools.client(3), null), "room again on the primary");
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void aRetryAvoidingTheLastPrimaryGoesToABackup(String algorithm) {
        BackendPool pool = primariesAndBackups(algorithm);
        List<Backend> b = pool.snapshot().backends();
        b.get(0).healthState(HealthState.DOWN);
        b.get(1).healthState(HealthState.DOWN);
        Balancer balancer = TestPools.balancer(pool);
        for (int i = 0; i < 200; i++) {
            Backend retry = balancer.pick(TestPools.client(i), b.get(2));
            assertTrue(retry == b.get(3) || retry == b.get(4), "retry " + i + " went to " + retry);
        }
    }

    /** Each tier is balanced alone: the primaries' placements are those of a pool without backups. */
    @ParameterizedTest
    @MethodSource("hashing")
    void hashingOverThePrimariesIgnoresTheBackups(String algorithm) {
        BackendPool withBackups = primariesAndBackups(algorithm);
        BackendPool without = TestPools.pool(algorithm, BalancerOptions.DEFAULTS, List.of("p0", "p1", "p2"), 1, 2, 3);
        BackendPool moreBackups = TestPools.tiered(algorithm, BalancerOptions.DEFAULTS,
                List.of("p0", "p1", "p2", "s0", "s1", "s2", "s3"), new int[] {1, 2, 3, 5, 5, 5, 5},
                new int[] {0, 0, 0, BACKUP, BACKUP, BACKUP + 10, BACKUP});
        Balancer a = TestPools.balancer(withBackups);
        Balancer b = TestPools.balancer(without);
        Balancer c = TestPools.balancer(moreBackups);
        for (int i = 0; i < 20_000; i++) {
            ClientKey client = TestPools.client(i);
            String expected = b.pick(client, null).name();
            assertEquals(expected, a.pick(client, null).name(), "client " + i);
            assertEquals(expected, c.pick(client, null).name(), "client " + i);
        }
        // With a primary down, the fallback walks the primaries only, as without backups.
        withBackups.snapshot().backend(1).healthState(HealthState.DOWN);
        without.snapshot().backend(1).healthState(HealthState.DOWN);
        for (int i = 0; i < 20_000; i++) {
            ClientKey client = TestPools.client(i);
            assertEquals(b.pick(client, null).name(), a.pick(client, null).name(), "client " + i);
        }
    }

    /** And the backups' placements are those of a pool of the backups alone. */
    @ParameterizedTest
    @MethodSource("hashing")
    void hashingOverTheBackupsIsThatOfTheBackupsAlone(String algorithm) {
        BackendPool tiered = primariesAndBackups(algorithm);
        for (int i = 0; i < 3; i++) {
            tiered.snapshot().backend(i).healthState(HealthState.DOWN);
        }
        BackendPool alone = TestPools.pool(algorithm, BalancerOptions.DEFAULTS, List.of("s0", "s1"), 1, 2);
        Balancer a = TestPools.balancer(tiered);
        Balancer b = TestPools.balancer(alone);
        for (int i = 0; i < 20_000; i++) {
            ClientKey client = TestPools.client(i);
            assertEquals(b.pick(client, null).name(), a.pick(client, null).name(), "client " + i);
        }
    }

    @ParameterizedTest
    @MethodSource("hashing")
    void rejectRefusesAClientWhoseHomePrimaryIsDownRatherThanSendingItToABackup(String algorithm) {
        BalancerOptions reject = new BalancerOptions(BalancerOptions.DEFAULTS.hashKey(), HashFallback.REJECT,
                BalancerOptions.DEFAULTS.ringSize(), BalancerOptions.DEFAULTS.maglevTableSize(),
                BalancerOptions.DEFAULTS.boundedLoadFactor());
        BackendPool pool = TestPools.tiered(algorithm, reject, List.of("p0", "p1", "s0"), new int[] {1, 1, 1},
                new int[] {0, 0, BACKUP});
        Backend p0 = pool.snapshot().backend(0);
        Balancer balancer = TestPools.balancer(pool);
        p0.healthState(HealthState.DOWN);
        int refused = 0;
        for (int i = 0; i < 2000; i++) {
            Backend picked = balancer.pick(TestPools.client(i), null);
            assertTrue(picked == null || picked.name().equals("p1"), "client " + i + " went to " + picked);
            refused += picked == null ? 1 : 0;
        }
        assertTrue(refused > 0, "p0's clients are refused");
    }

    /** SRV priorities: the lowest number serves; a backup comes after every priority. */
    @ParameterizedTest
    @MethodSource("algorithms")
    void tiersAreUsedInOrderOfTheirNumber(String algorithm) {
        BackendPool pool = TestPools.tiered(algorithm, BalancerOptions.DEFAULTS, List.of("a", "b", "c", "d"),
                new int[] {1, 1, 1, 1}, new int[] {BACKUP, 20, 10, 20});
        PoolSnapshot snapshot = pool.snapshot();
        Balancer balancer = TestPools.balancer(pool);
        assertEquals(List.of(10, 20, BACKUP), java.util.Arrays.stream(snapshot.tiers()).boxed().toList());
        assertEquals(Set.of("c"), picks(balancer, 500));
        snapshot.backend(2).healthState(HealthState.DOWN);
        assertEquals(Set.of("b", "d"), picks(balancer, 500));
        snapshot.backend(1).healthState(HealthState.DOWN);
        snapshot.backend(3).adminState(AdminState.DRAINING);
        assertEquals(Set.of("a"), picks(balancer, 500));
    }

    @Test
    void aPoolOfOnlyBackupsServesFromThem() {
        BackendPool pool = TestPools.tiered("round_robin", BalancerOptions.DEFAULTS, List.of("s0", "s1"),
                new int[] {1, 1}, new int[] {BACKUP, BACKUP});
        assertEquals(Set.of("s0", "s1"), picks(TestPools.balancer(pool), 100));
    }

    @Test
    void aReloadMovesABackendBetweenTiers() {
        BackendPool pool = primariesAndBackups("round_robin");
        PoolConfig before = new PoolConfig("test", "round_robin", 2, null, null, null, List.of(
                new BackendConfig("p0", new java.net.InetSocketAddress("127.1.0.1", 80), 1, 0, BACKUP),
                new BackendConfig("s0", new java.net.InetSocketAddress("127.1.0.4", 80), 1, 0, 0)),
                BalancerOptions.DEFAULTS);
        List<String> changes = pool.reconfigure(before);
        assertTrue(changes.contains("pool test: backend p0 tier 0 -> backup"), changes.toString());
        assertTrue(changes.contains("pool test: backend s0 tier backup -> 0"), changes.toString());
        assertEquals(Set.of("s0"), picks(TestPools.balancer(pool), 100), "s0 is the primary now");
    }

    @ParameterizedTest
    @MethodSource("algorithms")
    void tieredPickAllocatesNothing(String algorithm) {
        BackendPool pool = primariesAndBackups(algorithm);
        List<Backend> b = pool.snapshot().backends();
        b.get(0).healthState(HealthState.DOWN);
        b.get(1).healthState(HealthState.DOWN);
        b.get(2).adminState(AdminState.DRAINING); // every pick goes through the primaries to the backups
        Balancer balancer = TestPools.balancer(pool);
        ClientKey[] clients = new ClientKey[1024];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = TestPools.client(i);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int i = 0; i < 50_000; i++) {
            sink += balancer.pick(clients[i % clients.length], (i & 7) == 0 ? b.get(3) : null).hashCode();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            sink += balancer.pick(clients[i % clients.length], (i & 7) == 0 ? b.get(3) : null).hashCode();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 4096, algorithm + " allocated " + allocated + " bytes over 100,000 picks (" + sink + ")");
    }
}
