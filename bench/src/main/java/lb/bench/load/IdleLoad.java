package lb.bench.load;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Main thread only. {@code --mode idle}: opens the connections one after another (each connect
 * bounded by {@code --timeout} and by the end of the run), holds them without sending a byte until
 * the end, then checks which ones the target kept open, and closes them all.
 */
final class IdleLoad {

    private static final long TICK_NS = TimeUnit.SECONDS.toNanos(1);

    /**
     * Any thread (immutable). What an idle run found.
     *
     * @param opened  connections whose connect completed
     * @param failed  connect failures, by kind
     * @param held    of the opened ones, still open at the end
     * @param dropped of the opened ones, closed or reset by the target before the end
     */
    record Result(int opened, Map<ErrorKind, Long> failed, String firstError, int held, int dropped,
                  double openSeconds) {

        long failedCount() {
            long n = 0;
            for (long f : failed.values()) {
                n += f;
            }
            return n;
        }
    }

    private final LoadPlan plan;
    private final PrintWriter progress;

    IdleLoad(LoadPlan plan, PrintWriter progress) {
        this.plan = plan;
        this.progress = progress;
    }

    Result run(Timeline timeline) {
        List<SocketChannel> open = new ArrayList<>(plan.connections());
        Map<ErrorKind, Long> failed = RunResult.noErrors();
        String firstError = null;
        long nextTickNs = timeline.startNs() + TICK_NS;
        try {
            long nowNs = System.nanoTime();
            for (int i = 0; i < plan.connections() && nowNs - timeline.endNs() < 0; i++) {
                try {
                    open.add(connect(Math.min(plan.timeoutNs(), timeline.endNs() - nowNs)));
                } catch (IOException e) {
                    failed.merge(ErrorKind.of(e), 1L, Long::sum);
                    firstError = firstError == null ? e.toString() : firstError;
                }
                nowNs = System.nanoTime();
                if (nowNs - nextTickNs >= 0) {
                    report(timeline, nowNs, "opening", open.size(), failed);
                    nextTickNs += TICK_NS;
                }
            }
            double openSeconds = (nowNs - timeline.startNs()) / 1e9;
            // Holding: nothing to do but tell the operator, once a second, until the end.
            while ((nowNs = System.nanoTime()) - timeline.endNs() < 0) {
                if (nowNs - nextTickNs >= 0) {
                    report(timeline, nowNs, "holding", open.size(), failed);
                    nextTickNs += TICK_NS;
                }
                LockSupport.parkNanos(Math.min(nextTickNs, timeline.endNs()) - nowNs);
            }
            int held = countStillOpen(open);
            return new Result(open.size(), failed, firstError, held, open.size() - held, openSeconds);
        } finally {
            for (SocketChannel channel : open) {
                LoadWorker.closeQuietly(channel);
            }
        }
    }

    private SocketChannel connect(long timeoutNs) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.socket().connect(plan.target(), (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNs)));
            channel.configureBlocking(false); // so the check at the end can look without waiting
            return channel;
        } catch (SocketTimeoutException e) {
            LoadWorker.closeQuietly(channel);
            throw new SocketTimeoutException("connect timed out");
        } catch (IOException | RuntimeException e) {
            LoadWorker.closeQuietly(channel);
            throw e;
        }
    }

    /** A connection the target closed reads end of stream (or fails with a reset); a held one reads nothing. */
    private static int countStillOpen(List<SocketChannel> open) {
        ByteBuffer probe = ByteBuffer.allocate(1);
        int held = 0;
        for (SocketChannel channel : open) {
            try {
                probe.clear();
                if (channel.read(probe) >= 0) {
                    held++;
                }
            } catch (IOException e) {
                // reset: dropped
            }
        }
        return held;
    }

    private void report(Timeline timeline, long nowNs, String phase, int opened, Map<ErrorKind, Long> failed) {
        long failures = 0;
        for (long f : failed.values()) {
            failures += f;
        }
        progress.printf("[%5.1fs] idle %s: %d open, %d failed%n", (nowNs - timeline.startNs()) / 1e9, phase, opened,
                failures);
        progress.flush();
    }
}
