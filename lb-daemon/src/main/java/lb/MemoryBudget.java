package lb;

import java.lang.management.ManagementFactory;

import lb.config.Config;
import lb.config.DaemonConfig;

/**
 * Any thread (stateless). What a config asks of this JVM's memory, against what it allows: the
 * relay buffers are direct memory, capped by {@code -XX:MaxDirectMemorySize} (by default the
 * maximum heap), and the host (or its cgroup) has only so much.
 *
 * <p>Each loop allocates its read buffer at start; its pool of pending buffers grows on demand up
 * to {@code buffer_pool_max}. An explicit {@code buffer_pool_max} that the JVM could not honour is
 * refused, since the pool would run into the JVM's cap, where {@code allocateDirect} stalls the loop
 * in a full GC before it fails. Left unset, the bound fits itself: 64 MiB per loop, or less so
 * that the pools and read buffers stay within three quarters of direct memory (the rest is for the
 * JDK's own use). Nothing else on the heap grows with the config at start (the stats rings and
 * bookkeeping are fixed or grow with use), so the heap is checked only as part of the host's total.
 */
final class MemoryBudget {

    private static final long MIB = 1024 * 1024;

    private MemoryBudget() {
    }

    /** Bytes of pending buffers one loop may hold: the configured bound, or the fitted one if unset. */
    static long poolMaxPerLoop(DaemonConfig d) {
        if (d.bufferPoolMax() != DaemonConfig.AUTO_BUFFER_POOL_MAX) {
            return d.bufferPoolMax();
        }
        long limit = directMemoryLimit();
        if (limit <= 0) {
            return DaemonConfig.DEFAULT_BUFFER_POOL_MAX;
        }
        long share = (limit / 4 * 3 - readBuffers(d)) / d.workers();
        return Math.max(d.bufferSize(), Math.min(DaemonConfig.DEFAULT_BUFFER_POOL_MAX, share));
    }

    /** Why this JVM cannot start {@code config}, as one {@code key path: message} line, or null. */
    static String problem(Config config) {
        DaemonConfig d = config.daemon();
        long limit = directMemoryLimit();
        long read = readBuffers(d);
        if (limit > 0 && read > limit / 2) {
            return "daemon.buffer_size: " + d.workers() + " event loop(s) x " + (d.bufferSize() >> 10) + " KiB read "
                    + "buffers need " + mib(read) + " of direct memory, over half of the " + mib(limit)
                    + " this JVM allows (-XX:MaxDirectMemorySize, by default the heap): lower buffer_size or "
                    + "workers, or raise the limit";
        }
        if (d.bufferPoolMax() == DaemonConfig.AUTO_BUFFER_POOL_MAX) {
            return null;
        }
        long pools = saturatingMultiply(d.workers(), d.bufferPoolMax());
        long direct = saturatingAdd(read, pools);
        if (limit > 0 && direct > limit) {
            return "daemon.buffer_pool_max: " + d.workers() + " event loop(s) x " + mib(d.bufferPoolMax())
                    + " plus read buffers need " + mib(direct) + " of direct memory, over the " + mib(limit)
                    + " this JVM allows (-XX:MaxDirectMemorySize, by default the heap): lower it, leave it unset "
                    + "to fit the JVM, or raise the limit";
        }
        long host = hostMemory();
        long total = saturatingAdd(direct, Runtime.getRuntime().maxMemory());
        if (host > 0 && total > host) {
            return "daemon.buffer_pool_max: " + d.workers() + " event loop(s) x " + mib(d.bufferPoolMax())
                    + " of buffers plus the " + mib(Runtime.getRuntime().maxMemory()) + " heap need " + mib(total)
                    + ", over this host's " + mib(host) + " of memory: lower it or leave it unset";
        }
        return null;
    }

    private static long readBuffers(DaemonConfig d) {
        return (long) d.workers() * d.bufferSize();
    }

    static long directMemoryLimit() {
        return lb.stats.ProcessFigures.directMemoryLimit();
    }

    /** The host's memory, or its container's limit (the JDK reads the cgroup); -1 if unknown. */
    private static long hostMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }

    private static String mib(long bytes) {
        return bytes == Long.MAX_VALUE ? "more than 8 EiB" : (bytes / MIB) + " MiB";
    }

    private static long saturatingMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long product = a * b;
        return high != 0 || product < 0 ? Long.MAX_VALUE : product;
    }

    private static long saturatingAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
