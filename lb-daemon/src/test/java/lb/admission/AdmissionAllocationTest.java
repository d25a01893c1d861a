package lb.admission;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.sun.management.ThreadMXBean;

/**
 * Test thread. The accept path allocates nothing: the bytes this thread allocates across 200,000
 * admissions, releases, evictions, rule lookups and token takes stay below a few hundred (the
 * measuring itself), not the megabytes one object per call would make.
 */
class AdmissionAllocationTest {

    private static final int CALLS = 200_000;
    private static final long BOUND = 4096;

    private static long allocatedBytes() {
        return ((ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void theAcceptPathAllocatesNothing() {
        SourceTable table = new SourceTable(1_000, 32, 64, 2, 1000, 5);
        Random random = new Random(3);
        List<Cidr> deny = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            deny.add(Cidr.parse("10." + random.nextInt(256) + "." + random.nextInt(256) + ".0/24"));
        }
        deny.add(Cidr.parse("2001:db8::/32"));
        AccessRules rules = AccessRules.of(List.of(), deny);
        ListenerRateLimit rate = new ListenerRateLimit(10_000, 10);
        byte[][] addresses = new byte[4096][];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = new byte[i % 4 == 0 ? 16 : 4];
            random.nextBytes(addresses[i]);
        }
        run(table, rules, rate, addresses); // warm up: JIT, LongAdder cells
        long before = allocatedBytes();
        long sink = run(table, rules, rate, addresses);
        long allocated = allocatedBytes() - before;
        assertTrue(allocated < BOUND, () -> allocated + " bytes allocated over " + CALLS + " calls (sink " + sink + ")");
    }

    private static long run(SourceTable table, AccessRules rules, ListenerRateLimit rate, byte[][] addresses) {
        long sink = 0;
        for (int i = 0; i < CALLS; i++) {
            byte[] address = addresses[i & (addresses.length - 1)];
            long nowNs = i * 10_000L;
            sink += rules.allows(address, address.length) ? 1 : 0;
            sink += rate.tryTake(nowNs) ? 1 : 0;
            sink += rate.nanosUntilNextToken(nowNs);
            int slot = table.tryAdmit(address, address.length, nowNs);
            if (slot >= 0) {
                table.release(slot);
            }
            sink += slot;
        }
        return sink + table.tracked() + table.evictions();
    }
}
