package lb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import lb.balance.TestPools;
import lb.config.BalancerOptions;
import lb.config.Tiers;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.HealthState;
import lb.pool.PoolHealth;

/**
 * Panic mode with backup tiers (panic_threshold 50%): the pool's health is the sum of its tiers'
 * usable shares, and panic applies to the tier that serves only.
 */
class PanicTiersTest {

    private static final int BACKUP = Tiers.BACKUP;

    /** Four primaries and two backups. */
    private static BackendPool pool() {
        return TestPools.tiered("round_robin", BalancerOptions.DEFAULTS, List.of("p0", "p1", "p2", "p3", "s0", "s1"),
                new int[] {1, 1, 1, 1, 1, 1}, new int[] {0, 0, 0, 0, BACKUP, BACKUP});
    }

    private static void down(BackendPool pool, int... indices) {
        for (int i : indices) {
            pool.snapshot().backend(i).healthState(HealthState.DOWN);
        }
    }

    @Test
    void healthyBackupsKeepAPoolWhosePrimariesAreDownOutOfPanic() {
        BackendPool pool = pool();
        PanicMode panic = new PanicMode(pool);
        down(pool, 0, 1, 2, 3);
        panic.run(System.nanoTime());
        assertFalse(pool.poolHealth().panic(), "0/4 primaries + 2/2 backups is 100%");
        assertEquals(Tiers.BACKUP, pool.snapshot().servingTier(null));
        for (int i = 0; i < 100; i++) {
            Backend b = TestPools.balancer(pool).pick(TestPools.client(i), null);
            assertTrue(b.name().startsWith("s"), "pick " + i + ": " + b);
        }
    }

    @Test
    void panicAppliesToTheServingTierOnly() {
        BackendPool pool = pool();
        PanicMode panic = new PanicMode(pool);
        // 1 of 4 primaries (25%) and 0 of 2 backups: 25% < 50%, and the primaries serve.
        down(pool, 1, 2, 3, 4, 5);
        panic.run(System.nanoTime());
        assertEquals(0, pool.poolHealth().panicTier());
        assertTrue(pool.snapshot().backend(1).isEligible(), "a DOWN primary is picked in panic");
        assertFalse(pool.snapshot().backend(4).isEligible(), "a DOWN backup is not: its tier is not in panic");
        // Every primary down too, one backup up: 0% + 50% = 50%, not below: no panic; the backup serves.
        down(pool, 0);
        pool.snapshot().backend(4).healthState(HealthState.UP);
        panic.run(System.nanoTime());
        assertEquals(PoolHealth.NO_PANIC, pool.poolHealth().panicTier());
        assertFalse(pool.snapshot().backend(0).isEligible());
        assertEquals(BACKUP, pool.snapshot().servingTier(null));
        // Nothing usable anywhere: panic in the best tier, as a pool without tiers would.
        down(pool, 4);
        panic.run(System.nanoTime());
        assertEquals(0, pool.poolHealth().panicTier());
        assertEquals(0, pool.snapshot().servingTier(null));
    }

    @Test
    void aPoolWithoutTiersPanicsAsBefore() {
        BackendPool pool = TestPools.pool("round_robin", BalancerOptions.DEFAULTS, 1, 1, 1, 1);
        PanicMode panic = new PanicMode(pool);
        down(pool, 0, 1);
        panic.run(System.nanoTime());
        assertFalse(pool.poolHealth().panic(), "2 of 4 is not below 50%");
        down(pool, 2);
        panic.run(System.nanoTime());
        assertTrue(pool.poolHealth().panic(), "1 of 4");
    }
}
