package lb.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Immutable; any thread. The {@code [daemon]} table.
 *
 * @param workers           event-loop threads; the loader turns 0 ("auto") into the number of cores
 * @param shutdownGrace     how long SIGTERM lets open sessions finish before closing them
 * @param accessLog         one access-log line per closed session ({@code access_log} not "off")
 * @param bufferSize        bytes of each loop's read buffer and of each pooled pending buffer
 * @param bufferPoolMax     bytes of pending buffers one loop may hold at once; sessions wait for a
 *                          free buffer (they stop reading) when the pool is exhausted;
 *                          {@link #AUTO_BUFFER_POOL_MAX} when unset (fitted to the JVM at start)
 * @param adminSocket       path of the admin Unix socket, or null for none
 * @param adminSocketGroup  group the socket file is given (mode 0660), or null for the daemon's own
 * @param stateFile         where runtime changes (admin commands) are journaled and read back at
 *                          start and reload, or null for none
 * @param stats             whether to count traffic and aggregate session figures (the access log
 *                          does not depend on it)
 * @param accessLogFile     the file access-log lines go to, or null for the journal (logger {@code lb.access})
 * @param accessLogFormat   how each access-log line is written
 * @param drainDelay        after SIGTERM, how long the listeners keep accepting while /ready already
 *                          answers 503 (so that ECMP/BGP withdraws this host before they close)
 * @param warmup            at start, before the listeners are bound, how long synthetic loopback
 *                          traffic runs through a throwaway copy of the data path so that the JIT has
 *                          compiled it before the first client arrives; zero for none
 */
public record DaemonConfig(int workers, Duration shutdownGrace, boolean accessLog, int bufferSize, long bufferPoolMax,
                           Path adminSocket, String adminSocketGroup, Path stateFile, boolean stats,
                           Path accessLogFile, AccessLogFormat accessLogFormat, Duration drainDelay, Duration warmup) {

    /** With the default warm-up. */
    public DaemonConfig(int workers, Duration shutdownGrace, boolean accessLog, int bufferSize, long bufferPoolMax,
                        Path adminSocket, String adminSocketGroup, Path stateFile, boolean stats,
                        Path accessLogFile, AccessLogFormat accessLogFormat, Duration drainDelay) {
        this(workers, shutdownGrace, accessLog, bufferSize, bufferPoolMax, adminSocket, adminSocketGroup, stateFile,
                stats, accessLogFile, accessLogFormat, drainDelay, DEFAULT_WARMUP);
    }

    /** Without a drain delay. */
    public DaemonConfig(int workers, Duration shutdownGrace, boolean accessLog, int bufferSize, long bufferPoolMax,
                        Path adminSocket, String adminSocketGroup, Path stateFile, boolean stats,
                        Path accessLogFile, AccessLogFormat accessLogFormat) {
        this(workers, shutdownGrace, accessLog, bufferSize, bufferPoolMax, adminSocket, adminSocketGroup, stateFile,
                stats, accessLogFile, accessLogFormat, Duration.ZERO);
    }

    public DaemonConfig {
        if (accessLogFormat == null) {
            throw new IllegalArgumentException("accessLogFormat is null");
        }
        if (warmup == null || warmup.isNegative()) {
            throw new IllegalArgumentException("warmup is " + warmup);
        }
    }

    /**
     * Two seconds of synthetic traffic compile the accept, connect and relay paths (C2) on a 2-core
     * host: without it, a fresh process's first seconds of churn had a p99 ~1.6x the warm one's
     * (docs/benchmarks.md).
     */
    public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(2);
    /** The longest warm-up the config and {@code --warmup} allow. */
    public static final Duration MAX_WARMUP = Duration.ofSeconds(60);

    /** Access log to the journal (when on), as logfmt. */
    public DaemonConfig(int workers, Duration shutdownGrace, boolean accessLog, int bufferSize, long bufferPoolMax,
                        Path adminSocket, String adminSocketGroup, Path stateFile, boolean stats) {
        this(workers, shutdownGrace, accessLog, bufferSize, bufferPoolMax, adminSocket, adminSocketGroup, stateFile,
                stats, null, AccessLogFormat.LOGFMT);
    }

    /** Without a state file, with stats. */
    public DaemonConfig(int workers, Duration shutdownGrace, boolean accessLog, int bufferSize, long bufferPoolMax,
                        Path adminSocket, String adminSocketGroup) {
        this(workers, shutdownGrace, accessLog, bufferSize, bufferPoolMax, adminSocket, adminSocketGroup, null, true);
    }

    public static final Path DEFAULT_ADMIN_SOCKET = Path.of("/run/lb/admin.sock");

    /** Without an admin socket. */
    public DaemonConfig(int workers, Duration shutdownGrace, boolean accessLog, int bufferSize, long bufferPoolMax) {
        this(workers, shutdownGrace, accessLog, bufferSize, bufferPoolMax, null, null);
    }

    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
    /**
     * 32 KiB measured best for bulk relay on loopback: 16.5 Gbit/s median against 11.7 with 64 KiB
     * and 13-14 with 16 or 128 KiB, in one interleaved run of 5 rounds (see docs/benchmarks.md).
     */
    public static final int DEFAULT_BUFFER_SIZE = 32 * 1024;
    /** The bound of an unset {@code buffer_pool_max}, unless the JVM's direct memory calls for less. */
    public static final long DEFAULT_BUFFER_POOL_MAX = 64L * 1024 * 1024;
    /** {@code buffer_pool_max} unset: fitted to the JVM's direct memory at start, at most the default. */
    public static final long AUTO_BUFFER_POOL_MAX = 0;

    public static DaemonConfig defaults() {
        return new DaemonConfig(Runtime.getRuntime().availableProcessors(), DEFAULT_SHUTDOWN_GRACE, true,
                DEFAULT_BUFFER_SIZE, AUTO_BUFFER_POOL_MAX);
    }
}
