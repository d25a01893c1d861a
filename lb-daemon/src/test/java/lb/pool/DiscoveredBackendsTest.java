package lb.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.config.BackendConfig;
import lb.config.BalancerOptions;
import lb.config.PoolConfig;
import lb.config.Tiers;

/** What a DNS answer does to a pool, on the control thread: {@link BackendPool#applyDiscovered} and {@link BackendPool#sweepGone}. */
class DiscoveredBackendsTest {

    private static InetSocketAddress at(int i) {
        return new InetSocketAddress("127.2.0." + i, 80);
    }

    private static BackendPool pool() {
        PoolConfig config = new PoolConfig("p", "round_robin", 2, null, null, null,
                List.of(new BackendConfig("s", at(1), 1)), BalancerOptions.DEFAULTS);
        // Every snapshot gets a trivial balancer: these tests look at the set, not at picks.
        return new BackendPool(config, 1, snapshot -> loop -> (client, avoid) -> null);
    }

    private static Backend named(BackendPool pool, String name) {
        return pool.snapshot().backends().stream().filter(b -> b.name().equals(name)).findFirst().orElse(null);
    }

    @Test
    void listedBackendsWinOverRecordsThatClashAndAnUnchangedAnswerPublishesNothing() {
        BackendPool pool = pool();
        List<BackendConfig> answer = List.of(new BackendConfig("x", at(1), 1), new BackendConfig("s", at(2), 1),
                new BackendConfig("z", at(3), 4, 0, 10));
        BackendPool.DiscoveryChanges changes = pool.applyDiscovered(answer);
        assertEquals(List.of("added backend z weight 4 tier 10"), changes.changes());
        assertEquals(2, changes.conflicts().size(), changes.conflicts().toString());
        assertTrue(named(pool, "z").discovered());
        assertFalse(named(pool, "s").discovered());
        PoolSnapshot snapshot = pool.snapshot();
        assertTrue(pool.applyDiscovered(answer).changes().isEmpty());
        assertSame(snapshot, pool.snapshot(), "the same answer again: no snapshot");
        // A new weight and priority: applied and published.
        pool.applyDiscovered(List.of(new BackendConfig("z", at(3), 2, 0, Tiers.of(5, true))));
        assertEquals(2, named(pool, "z").weight());
        assertEquals(Tiers.BACKUP + 5, pool.snapshot().tier(1));
    }

    @Test
    void aVanishedBackendDrainsLeavesWhenItsSessionsEndAndComesBackActive() {
        BackendPool pool = pool();
        pool.applyDiscovered(List.of(new BackendConfig("z", at(3), 1), new BackendConfig("y", at(4), 1)));
        Backend z = named(pool, "z");
        Backend y = named(pool, "y");
        assertTrue(z.tryPlace(), "a session on z");
        BackendPool.DiscoveryChanges changes = pool.applyDiscovered(List.of());
        assertTrue(changes.draining());
        assertEquals(AdminState.DRAINING, z.adminState());
        assertTrue(z.goneFromDns());
        assertFalse(z.tryPlace(), "no new session on a leaving backend");
        assertEquals(List.of("y"), pool.sweepGone(), "y had no session: it leaves; z stays");
        assertTrue(pool.hasGone());
        // z is back in DNS before its session ended: active again, the same backend.
        pool.applyDiscovered(List.of(new BackendConfig("z", at(3), 1)));
        assertEquals(AdminState.ACTIVE, z.adminState());
        assertFalse(pool.hasGone());
        assertSame(z, named(pool, "z"));
        // Gone again; its session ends; it leaves. The listed backend never moves.
        pool.applyDiscovered(List.of());
        assertEquals(List.of(), pool.sweepGone());
        z.onSessionReleased();
        assertEquals(List.of("z"), pool.sweepGone());
        assertEquals(List.of("s"), pool.snapshot().backends().stream().map(Backend::name).toList());
    }

    @Test
    void anOperatorsDrainOfADiscoveredBackendIsNotUndoneByDns() {
        BackendPool pool = pool();
        pool.applyDiscovered(List.of(new BackendConfig("z", at(3), 1)));
        Backend z = named(pool, "z");
        z.adminState(AdminState.DISABLED);
        pool.applyDiscovered(List.of(new BackendConfig("z", at(3), 1)));
        assertEquals(AdminState.DISABLED, z.adminState());
    }
}
