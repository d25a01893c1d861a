package lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.config.Config;
import lb.config.DaemonConfig;

/** Test thread. Sizes checked against this test JVM's own direct-memory limit, whatever it is. */
class MemoryBudgetTest {

    private static DaemonConfig daemon(int workers, int bufferSize, long poolMax) {
        return new DaemonConfig(workers, Duration.ofSeconds(1), false, bufferSize, poolMax);
    }

    @Test
    void anUnsetPoolBoundFitsThreeQuartersOfDirectMemoryWithTheReadBuffers() {
        long limit = MemoryBudget.directMemoryLimit();
        assertTrue(limit > 0, "HotSpot tells its direct-memory limit");
        for (int workers : new int[] {1, 2, 16, 256}) {
            DaemonConfig d = daemon(workers, 32 * 1024, DaemonConfig.AUTO_BUFFER_POOL_MAX);
            long perLoop = MemoryBudget.poolMaxPerLoop(d);
            assertTrue(perLoop <= DaemonConfig.DEFAULT_BUFFER_POOL_MAX, workers + " loops: " + perLoop);
            assertTrue(perLoop >= d.bufferSize(), workers + " loops: at least one buffer each");
            if (perLoop > d.bufferSize()) {
                assertTrue(workers * (perLoop + d.bufferSize()) <= limit / 4 * 3,
                        workers + " loops x " + perLoop + " within 3/4 of " + limit);
            }
            assertNull(MemoryBudget.problem(new Config(java.util.Optional.empty(), d, List.of(), List.of())), "an unset bound is never refused");
        }
    }

    @Test
    void anExplicitPoolBoundIsKeptWhenItFitsAndRefusedInOneLineWhenNot() {
        long limit = MemoryBudget.directMemoryLimit();
        DaemonConfig fits = daemon(1, 32 * 1024, limit / 4);
        assertEquals(limit / 4, MemoryBudget.poolMaxPerLoop(fits));
        assertNull(MemoryBudget.problem(new Config(java.util.Optional.empty(), fits, List.of(), List.of())));

        for (long huge : new long[] {1000L << 30 << 10, Long.MAX_VALUE}) {
            String problem = MemoryBudget.problem(new Config(java.util.Optional.empty(), daemon(4, 32 * 1024, huge), List.of(), List.of()));
            assertTrue(problem != null && problem.startsWith("daemon.buffer_pool_max: 4 event loop(s) x "), problem);
            assertTrue(!problem.contains("\n") && problem.contains("this JVM allows"), problem);
        }
    }
}
