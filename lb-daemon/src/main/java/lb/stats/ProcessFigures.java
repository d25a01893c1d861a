package lb.stats;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import lb.loop.BufferPool;
import lb.loop.EventLoop;
import lb.protocol.Version;

/**
 * Any thread (stateless; the stats thread calls it per report). The process figures an alert
 * needs, as HAProxy's {@code show info} gives them: descriptors, heap and direct memory, threads,
 * collections, start time and build, and each event loop's buffer pool and lag.
 */
public final class ProcessFigures {

    private ProcessFigures() {
    }

    /** The figures now; {@code loops} in loop order (their buffer pools and lag). */
    static Map<String, Object> now(List<EventLoop> loops) {
        long nowNs = System.nanoTime();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", Version.text());
        m.put("java", Runtime.version().toString());
        m.put("pid", ProcessHandle.current().pid());
        m.put("tcp_migrate_req", lb.loop.Sockets.tcpMigrateReq());
        m.put("start_time_s", ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            m.put("open_fds", os.getOpenFileDescriptorCount());
            m.put("max_fds", os.getMaxFileDescriptorCount());
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        m.put("heap_used_bytes", heap.getUsed());
        m.put("heap_max_bytes", heap.getMax());
        long direct = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct = pool.getMemoryUsed();
            }
        }
        m.put("direct_used_bytes", direct);
        m.put("direct_max_bytes", directMemoryLimit());
        m.put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
        long collections = 0;
        long collectionMs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            collections += Math.max(0, gc.getCollectionCount());
            collectionMs += Math.max(0, gc.getCollectionTime());
        }
        m.put("gc_collections", collections);
        m.put("gc_seconds", collectionMs / 1000.0);
        List<Object> perLoop = new java.util.ArrayList<>();
        for (int i = 0; i < loops.size(); i++) {
            BufferPool pool = loops.get(i).buffers();
            Map<String, Object> loop = new LinkedHashMap<>();
            loop.put("loop", i);
            loop.put("lag_seconds", loops.get(i).lagNs(nowNs) / 1e9);
            loop.put("buffer_pool_used_bytes", pool.bytesInUse());
            loop.put("buffer_pool_max_bytes", pool.maxBytes());
            loop.put("buffer_pool_evictions", pool.evictions());
            perLoop.add(loop);
        }
        m.put("loops", perLoop);
        return m;
    }

    /** The JVM's direct-memory limit (-XX:MaxDirectMemorySize, by default the maximum heap), or -1. */
    public static long directMemoryLimit() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean hotspot = ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            long configured = Long.parseLong(hotspot.getVMOption("MaxDirectMemorySize").getValue());
            return configured > 0 ? configured : Runtime.getRuntime().maxMemory();
        } catch (RuntimeException e) {
            return -1; // not HotSpot, or the option is unknown
        }
    }
}
