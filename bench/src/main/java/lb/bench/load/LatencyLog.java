package lb.bench.load;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.file.Path;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Main thread only. The {@code --histogram FILE} log: one interval histogram per progress tick of
 * the measured window, in HdrHistogram's log format, so {@code HistogramLogReader} and the
 * HdrHistogram plotting tools read it. Values are nanoseconds; the "max" column is in
 * milliseconds (value unit ratio 10^6), as the HdrHistogram tools expect.
 */
final class LatencyLog implements AutoCloseable {

    private static final double NS_PER_MS = 1_000_000.0;

    private final PrintStream file;
    private final HistogramLogWriter writer;
    private final Timeline timeline;

    LatencyLog(Path path, Timeline timeline, String description) throws FileNotFoundException {
        this.file = new PrintStream(path.toFile());
        this.writer = new HistogramLogWriter(file);
        this.timeline = timeline;
        writer.outputComment(description);
        writer.outputComment("latency values in nanoseconds");
        writer.outputLogFormatVersion();
        long startMs = timeline.epochMs(timeline.measureStartNs());
        writer.outputStartTime(startMs);
        writer.outputLegend();
    }

    /** Appends the latencies of {@code [fromNs, toNs)}; nothing for an interval before measuring started. */
    void interval(Histogram latencies, long fromNs, long toNs) {
        if (toNs - timeline.measureStartNs() <= 0) {
            return;
        }
        long baseMs = timeline.epochMs(timeline.measureStartNs());
        long fromMs = timeline.epochMs(Math.max(fromNs, timeline.measureStartNs()));
        long toMs = timeline.epochMs(Math.min(toNs, timeline.endNs()));
        latencies.setStartTimeStamp(fromMs);
        latencies.setEndTimeStamp(toMs);
        writer.outputIntervalHistogram((fromMs - baseMs) / 1000.0, (toMs - baseMs) / 1000.0, latencies, NS_PER_MS);
    }

    @Override
    public void close() {
        file.close();
    }
}
