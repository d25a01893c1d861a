package lb.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Test thread, and four worker threads where the test says so. Limits exact under concurrency,
 * a token bucket exact on a hand-advanced clock, the table bounded through a million sources
 * without evicting one that holds connections, and a randomized run against a plain HashMap model.
 */
class SourceTableTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long MS = 1_000_000L;
    private static final int NO_LIMIT = 0;

    private final ExecutorService workers = Executors.newFixedThreadPool(4);

    @AfterEach
    void stopWorkers() throws InterruptedException {
        workers.shutdownNow();
        assertTrue(workers.awaitTermination(10, TimeUnit.SECONDS));
    }

    private static byte[] v4(int address) {
        return new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
    }

    private static byte[] ip(String literal) throws Exception {
        return InetAddress.getByName(literal).getAddress();
    }

    private static int admit(SourceTable table, byte[] address, long nowNs) {
        return table.tryAdmit(address, address.length, nowNs);
    }

    /** Runs {@code task} on four threads released together; returns their results. */
    private <T> List<T> onFourThreads(Callable<T> task) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            futures.add(workers.submit(() -> {
                start.await();
                return task.call();
            }));
        }
        start.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get(60, TimeUnit.SECONDS));
        }
        return results;
    }

    @Test
    void fourThreadsGetExactlyTheConcurrencyLimitOfANewSource() throws Exception {
        for (int round = 0; round < 50; round++) {
            SourceTable table = new SourceTable(1000, 32, 64, 50, 0, 0);
            byte[] address = v4(0xC6336407 + round); // a fresh source each round: the four race to add it
            List<int[]> results = onFourThreads(() -> {
                int admitted = 0;
                int refused = 0;
                for (int i = 0; i < 40; i++) {
                    int slot = admit(table, address, 0);
                    if (slot >= 0) {
                        admitted++;
                    } else {
                        assertEquals(SourceTable.REFUSED_CONNECTIONS, slot);
                        refused++;
                    }
                }
                return new int[] {admitted, refused};
            });
            assertEquals(50, results.stream().mapToInt(r -> r[0]).sum(), "round " + round);
            assertEquals(110, results.stream().mapToInt(r -> r[1]).sum(), "round " + round);
            assertEquals(1, table.tracked(), "one entry for the source");
            assertEquals(50, table.top(1, 0).get(0).connections());
        }
    }

    @Test
    void fourThreadsOnManyNewSourcesNeverExceedAnyLimit() throws Exception {
        for (int round = 0; round < 10; round++) {
            SourceTable table = new SourceTable(4096, 32, 64, 3, 0, 0);
            int sources = 500;
            int seed = round;
            List<int[]> results = onFourThreads(() -> {
                int[] admitted = new int[sources];
                Random random = new Random(seed * 31L + Thread.currentThread().getId());
                for (int i = 0; i < sources * 4; i++) {
                    int s = random.nextInt(sources);
                    if (admit(table, v4(0x0A000000 + s), 0) >= 0) {
                        admitted[s]++;
                    }
                }
                return admitted;
            });
            int total = 0;
            for (int s = 0; s < sources; s++) {
                int sum = 0;
                for (int[] r : results) {
                    sum += r[s];
                }
                assertTrue(sum <= 3, "source " + s + " admitted " + sum);
                total += sum;
            }
            assertEquals(total, table.top(sources, 0).stream().mapToInt(SourceFigures::connections).sum());
            List<SourceFigures> top = table.top(sources, 0);
            assertEquals(top.size(), table.tracked(), "none lost");
            assertEquals(top.size(), top.stream().map(SourceFigures::source).distinct().count(), "none twice");
        }
    }

    @Test
    void aReleaseLetsTheNextConnectionIn() {
        SourceTable table = new SourceTable(16, 32, 64, 2, 0, 0);
        byte[] a = v4(0xC0000201);
        int first = admit(table, a, 0);
        int second = admit(table, a, 0);
        assertTrue(first >= 0 && second >= 0);
        assertEquals(first, second, "one source, one slot");
        assertEquals(SourceTable.REFUSED_CONNECTIONS, admit(table, a, 0));
        table.release(first);
        assertEquals(first, admit(table, a, 0));
        assertEquals(SourceTable.REFUSED_CONNECTIONS, admit(table, a, 0));
        assertEquals(2, table.top(1, 0).get(0).refused());
    }

    @Test
    void aSecondReleaseOfTheLastConnectionThrows() {
        SourceTable table = new SourceTable(16, 32, 64, NO_LIMIT, 0, 0);
        int slot = admit(table, v4(0x0A000001), 0);
        table.release(slot);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> table.release(slot));
        assertEquals("release of slot " + slot + ", which holds no connection", e.getMessage());
    }

    @Test
    void theBucketGivesBurstThenRateExactlyOnOneThread() {
        SourceTable table = new SourceTable(16, 32, 64, NO_LIMIT, 100, 20);
        byte[] a = v4(0xCB007107);
        int admitted = 0;
        for (long t = 0; t <= 5 * SECOND; t += MS) {
            for (int i = 0; i < 3; i++) {
                int slot = admit(table, a, t);
                if (slot >= 0) {
                    admitted++;
                    table.release(slot);
                } else {
                    assertEquals(SourceTable.REFUSED_RATE, slot);
                }
            }
        }
        assertEquals(20 + 500, admitted);
    }

    @Test
    void theBucketGivesBurstThenRateExactlyOnFourThreads() throws Exception {
        for (int round = 0; round < 3; round++) {
            SourceTable table = new SourceTable(16, 32, 64, NO_LIMIT, 100, 20);
            byte[] a = v4(0xCB007107);
            CyclicBarrier step = new CyclicBarrier(4);
            List<Integer> results = onFourThreads(() -> {
                int admitted = 0;
                for (long t = 0; t <= 5 * SECOND; t += 10 * MS) {
                    awaitQuietly(step); // all four try at the same clock reading, then move on together
                    for (int i = 0; i < 3; i++) {
                        if (admit(table, a, t) >= 0) {
                            admitted++;
                        }
                    }
                }
                return admitted;
            });
            assertEquals(20 + 500, results.stream().mapToInt(Integer::intValue).sum());
            assertEquals(520, table.top(1, 5 * SECOND).get(0).connections());
        }
    }

    private static void awaitQuietly(CyclicBarrier barrier) {
        try {
            barrier.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException | BrokenBarrierException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRefusedConnectionTakesNeitherTokenNorCount() {
        SourceTable table = new SourceTable(16, 32, 64, 1, 1, 2);
        byte[] a = v4(0x0A000001);
        int held = admit(table, a, 0); // token 1 of 2
        assertEquals(SourceTable.REFUSED_CONNECTIONS, admit(table, a, 0), "checked before the rate: no token taken");
        table.release(held);
        int again = admit(table, a, 0); // token 2 of 2
        assertTrue(again >= 0);
        table.release(again);
        assertEquals(SourceTable.REFUSED_RATE, admit(table, a, 0));

        SourceTable two = new SourceTable(16, 32, 64, 2, 1, 1);
        int first = admit(two, a, 0);
        assertEquals(SourceTable.REFUSED_RATE, admit(two, a, 0));
        assertTrue(admit(two, a, SECOND) >= 0, "the rate refusal held no count: a second connection fits");
        assertEquals(SourceTable.REFUSED_CONNECTIONS, admit(two, a, 2 * SECOND));
        two.release(first);
    }

    @Test
    void sourcesAreGroupedByPrefix() throws Exception {
        SourceTable table = new SourceTable(16, 24, 64, 1, 0, 0);
        assertTrue(admit(table, ip("10.0.0.1"), 0) >= 0);
        assertEquals(SourceTable.REFUSED_CONNECTIONS, admit(table, ip("10.0.0.200"), 0), "same /24");
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 9;
        assertEquals(SourceTable.REFUSED_CONNECTIONS, table.tryAdmit(mapped, 16, 0), "an IPv4-mapped 10.0.0.9");
        assertTrue(admit(table, ip("10.0.1.1"), 0) >= 0, "another /24");
        assertTrue(admit(table, ip("2001:db8:1:2::1"), 0) >= 0);
        assertEquals(SourceTable.REFUSED_CONNECTIONS, admit(table, ip("2001:db8:1:2:ffff::9"), 0), "same /64");
        assertTrue(admit(table, ip("2001:db8:1:3::1"), 0) >= 0, "another /64");
        assertTrue(admit(table, ip("::a00:1"), 0) >= 0, "IPv6 ::10.0.0.1 is not IPv4 10.0.0.1");
        assertEquals(List.of("10.0.0.0/24", "10.0.1.0/24", "2001:db8:1:2::/64", "2001:db8:1:3::/64", "::/64"),
                table.top(10, 0).stream().map(SourceFigures::source).sorted().toList());
    }

    @Test
    void aMillionSourcesPassThroughTenThousandSlots() {
        SourceTable table = new SourceTable(10_000, 32, 64, 5, 0, 0);
        Random random = new Random(7);
        byte[] v6 = new byte[16];
        for (int i = 0; i < 1_000_000; i++) {
            int slot;
            if (i % 2 == 0) {
                slot = admit(table, v4(0x0B000000 + i), i);
            } else {
                random.nextBytes(v6);
                slot = table.tryAdmit(v6, 16, i);
            }
            assertTrue(slot >= 0, "idle sources can always be evicted");
            table.release(slot);
            if (table.tracked() > 10_000) {
                throw new AssertionError("tracked " + table.tracked() + " after " + i);
            }
        }
        assertEquals(10_000, table.tracked());
        assertTrue(table.evictions() >= 990_000, "evictions " + table.evictions());
    }

    @Test
    void aSourceWithOpenConnectionsIsNeverEvicted() {
        SourceTable table = new SourceTable(10_000, 32, 64, 3, 0, 0);
        List<Integer> held = new ArrayList<>();
        for (int s = 0; s < 100; s++) {
            for (int c = 0; c < 3; c++) {
                int slot = admit(table, v4(0xC0A80000 + s), 0);
                assertTrue(slot >= 0);
                held.add(slot);
            }
        }
        for (int i = 0; i < 1_000_000; i++) {
            int slot = admit(table, v4(0x0B000000 + i), i);
            assertTrue(slot >= 0);
            table.release(slot);
        }
        for (int s = 0; s < 100; s++) {
            assertEquals(SourceTable.REFUSED_CONNECTIONS, admit(table, v4(0xC0A80000 + s), 2_000_000),
                    "source " + s + " still holds its three");
        }
        List<SourceFigures> top = table.top(100, 2_000_000);
        assertEquals(100, top.size());
        for (SourceFigures f : top) {
            assertEquals(3, f.connections(), f.source());
            assertTrue(f.source().startsWith("192.168.0."), f.source());
        }
        held.forEach(table::release);
        assertTrue(table.evictions() >= 990_000);
    }

    @Test
    void fourThreadsChurningNeverEvictABusySource() throws Exception {
        SourceTable table = new SourceTable(2_000, 32, 64, 2, 0, 0);
        AtomicInteger threads = new AtomicInteger();
        List<Integer> results = onFourThreads(() -> {
            int id = threads.getAndIncrement();
            List<Integer> mine = new ArrayList<>();
            for (int s = 0; s < 25; s++) {
                byte[] busy = v4(0xC0A80000 | id << 8 | s);
                mine.add(admit(table, busy, 0));
                mine.add(admit(table, busy, 0));
            }
            assertTrue(mine.stream().allMatch(slot -> slot >= 0));
            for (int i = 0; i < 250_000; i++) {
                int slot = admit(table, v4(0x0B000000 | id << 20 | i), i);
                assertTrue(slot >= 0 || slot == SourceTable.REFUSED_TABLE_FULL);
                if (slot >= 0) {
                    table.release(slot);
                }
                assertTrue(table.tracked() <= 2_000);
            }
            int stillFull = 0;
            for (int s = 0; s < 25; s++) {
                stillFull += admit(table, v4(0xC0A80000 | id << 8 | s), 0) == SourceTable.REFUSED_CONNECTIONS ? 1 : 0;
            }
            mine.forEach(table::release);
            return stillFull;
        });
        assertEquals(List.of(25, 25, 25, 25), results);
        assertTrue(table.top(2_000, 0).stream().allMatch(f -> f.connections() == 0));
    }

    @Test
    void whenEverySourceIsBusyANewOneIsRefusedUntilOneEnds() {
        SourceTable table = new SourceTable(1, 32, 64, NO_LIMIT, 0, 0);
        int a = admit(table, v4(0x0A000001), 0);
        assertTrue(a >= 0);
        assertEquals(SourceTable.REFUSED_TABLE_FULL, admit(table, v4(0x0A000002), 1));
        assertEquals(1, table.tracked());
        table.release(a);
        assertTrue(admit(table, v4(0x0A000002), 2) >= 0);
        assertEquals(1, table.tracked());
        assertEquals(1, table.evictions());
        assertEquals("10.0.0.2/32", table.top(5, 2).get(0).source());
    }

    @Test
    void anEvictedSourceComesBackWithAFullBucket() {
        SourceTable table = new SourceTable(1, 32, 64, NO_LIMIT, 1, 2);
        byte[] a = v4(0x0A000001);
        table.release(admit(table, a, 0));
        table.release(admit(table, a, 0));
        assertEquals(SourceTable.REFUSED_RATE, admit(table, a, 0));
        table.release(admit(table, v4(0x0A000002), 0)); // evicts a
        table.release(admit(table, a, 0));
        table.release(admit(table, a, 0));
        assertEquals(SourceTable.REFUSED_RATE, admit(table, a, 0), "two again: the bucket started full");
        assertEquals(2, table.evictions());
    }

    @Test
    void topListsByConnectionsThenRecentRate() throws Exception {
        SourceTable table = new SourceTable(64, 32, 64, NO_LIMIT, 0, 0);
        long t = 10 * SECOND + 200 * MS;
        for (int i = 0; i < 3; i++) {
            admit(table, ip("203.0.113.7"), t);
        }
        table.release(admit(table, ip("198.51.100.1"), t));
        admit(table, ip("198.51.100.2"), t);
        for (int i = 0; i < 4; i++) {
            table.release(admit(table, ip("2001:db8:1:2::5"), t));
        }
        admit(table, ip("2001:db8:1:2::6"), t);
        List<SourceFigures> top = table.top(10, 10 * SECOND + 500 * MS);
        assertEquals(List.of(
                new SourceFigures("203.0.113.7/32", 3, 3.0, 0),
                new SourceFigures("2001:db8:1:2::/64", 1, 5.0, 0),
                new SourceFigures("198.51.100.2/32", 1, 1.0, 0),
                new SourceFigures("198.51.100.1/32", 0, 1.0, 0)), top);
        assertEquals(2, table.top(2, 10 * SECOND).size());
        assertEquals(List.of(), table.top(0, 0));
        // A second on, the last second's count fades as the new one goes by; two seconds on it is gone.
        assertEquals(3.0 * 0.75, table.top(1, 11 * SECOND + 250 * MS).get(0).ratePerSecond(), 1e-9);
        admit(table, ip("203.0.113.7"), 11 * SECOND + 500 * MS);
        assertEquals(3.0 * 0.5 + 1, table.top(1, 11 * SECOND + 500 * MS).get(0).ratePerSecond(), 1e-9);
        assertEquals(0.0, table.top(4, 13 * SECOND).get(3).ratePerSecond());
    }

    @Test
    void badSettingsAreRefusedWithTheirNames() {
        assertEquals("max tracked sources must be 1..16777216, got 0",
                assertThrows(IllegalArgumentException.class, () -> new SourceTable(0, 32, 64, 0, 0, 0)).getMessage());
        assertEquals("IPv4 source prefix must be 1..32, got 33",
                assertThrows(IllegalArgumentException.class, () -> new SourceTable(1, 33, 64, 0, 0, 0)).getMessage());
        assertEquals("IPv6 source prefix must be 1..128, got 0",
                assertThrows(IllegalArgumentException.class, () -> new SourceTable(1, 32, 0, 0, 0, 0)).getMessage());
        assertEquals("connections per source must be 0 (no limit) to 16777215, got -1",
                assertThrows(IllegalArgumentException.class, () -> new SourceTable(1, 32, 64, -1, 0, 0)).getMessage());
        assertEquals("rate per source must be 0 (no limit) or a positive number, got NaN",
                assertThrows(IllegalArgumentException.class, () -> new SourceTable(1, 32, 64, 0, Double.NaN, 1))
                        .getMessage());
        assertEquals("burst must be at least 1 with a rate, got 0",
                assertThrows(IllegalArgumentException.class, () -> new SourceTable(1, 32, 64, 0, 5, 0)).getMessage());
    }

    /** The model's idea of one source: open connections, and a token bucket as credit in nanoseconds. */
    private static final class ModelSource {
        int connections;
        long creditNs;
        long lastNs;
        final List<Integer> slots = new ArrayList<>();
    }

    @Test
    void randomOperationsMatchASingleThreadedModel() {
        long intervalNs = SECOND / 5;
        int burst = 2;
        int limit = 3;
        for (long seed = 1; seed <= 5; seed++) {
            Random random = new Random(seed);
            SourceTable table = new SourceTable(4096, 24, 48, limit, 5, burst, seed);
            Map<Integer, ModelSource> model = new HashMap<>();
            long now = 0;
            for (int op = 0; op < 50_000; op++) {
                now += random.nextInt(4) * 10 * MS;
                int source = random.nextInt(300);
                ModelSource m = model.computeIfAbsent(source, k -> {
                    ModelSource fresh = new ModelSource();
                    fresh.creditNs = burst * intervalNs;
                    return fresh;
                });
                byte[] address = source % 3 == 0 ? v6(source, random) : v4(0x0A000000 | source << 8 | random.nextInt(256));
                if (random.nextInt(3) == 0 && !m.slots.isEmpty()) {
                    table.release(m.slots.remove(m.slots.size() - 1));
                    m.connections--;
                    continue;
                }
                m.creditNs = Math.min(burst * intervalNs, m.creditNs + (now - m.lastNs));
                m.lastNs = now;
                int expected;
                if (m.connections >= limit) {
                    expected = SourceTable.REFUSED_CONNECTIONS;
                } else if (m.creditNs < intervalNs) {
                    expected = SourceTable.REFUSED_RATE;
                } else {
                    m.creditNs -= intervalNs;
                    m.connections++;
                    expected = 0;
                }
                int slot = table.tryAdmit(address, address.length, now);
                assertEquals(expected, Math.min(slot, 0), "seed " + seed + " op " + op + " source " + source);
                if (slot >= 0) {
                    m.slots.add(slot);
                }
            }
            assertEquals(0, table.evictions());
            assertEquals(model.size(), table.tracked());
            assertEquals(model.values().stream().mapToInt(s -> s.connections).sum(),
                    table.top(model.size(), now).stream().mapToInt(SourceFigures::connections).sum());
        }
    }

    /** A random address in the /48 that stands for {@code source}. */
    private static byte[] v6(int source, Random random) {
        byte[] out = new byte[16];
        random.nextBytes(out);
        out[0] = 0x20;
        out[1] = 0x01;
        out[2] = 0x0d;
        out[3] = (byte) 0xb8;
        out[4] = (byte) (source >>> 8);
        out[5] = (byte) source;
        return out;
    }
}
