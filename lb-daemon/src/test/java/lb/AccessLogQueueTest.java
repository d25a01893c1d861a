package lb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.config.AccessLogFormat;
import lb.session.StatsRing;
import lb.stats.PrometheusText;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.EchoBackend;
import lb.testing.Payload;
import lb.testing.PrometheusFormat;
import lb.testing.TestConfigs;

/**
 * Test thread only. A file access log whose writer cannot keep up (stalled by the test hook) drops
 * lines, counted in the stats report and the metrics, while every session still relays; a disk
 * that refuses writes ({@code /dev/full}) loses lines, counted, and the daemon goes on.
 */
class AccessLogQueueTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private static void echo(InetSocketAddress address, long seed) throws Exception {
        byte[] payload = Payload.random(seed, 2_000);
        try (Client client = Client.connect(address)) {
            client.send(payload);
            client.shutdownOutput();
            assertArrayEquals(Payload.sha256(payload), Payload.sha256(client.readToEnd(2_001)), "echo " + seed);
        }
    }

    private static long accessLog(Daemon daemon, String key) {
        return ((Number) ((Map<?, ?>) daemon.stats().get("access_log")).get(key)).longValue();
    }

    private static long lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).size() : 0;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aStalledWriterDropsCountedLinesWhileSessionsComplete() throws Exception {
        EchoBackend one = cleanup.track(EchoBackend.start("one"));
        Path log = dir.resolve("access.log");
        int queue = 16;
        int sessions = 40;
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(one.address()).workers(1)
                .accessLogFile(log, AccessLogFormat.LOGFMT).build(), UnaryOperator.identity(), StatsRing.DEFAULT_SLOTS,
                queue));
        daemon.statsAggregator().accessLog().holdWriter(true);
        for (int i = 0; i < sessions; i++) {
            echo(daemon.listenerAddress(TestConfigs.LISTENER), i); // relaying does not wait for the log
        }
        Await.until(() -> accessLog(daemon, "dropped") == sessions - queue, WAIT,
                () -> "dropped: " + daemon.stats().get("access_log"));
        assertEquals(0, lines(log), "held: nothing written");
        daemon.statsAggregator().accessLog().holdWriter(false);
        Await.until(() -> lines(log) == queue, WAIT, () -> "the lines that fitted: " + daemon.stats().get("access_log"));
        Map<?, ?> figures = (Map<?, ?>) daemon.stats().get("access_log");
        assertEquals("file", figures.get("target"));
        assertEquals(log.toString(), figures.get("path"));
        assertEquals((long) queue, figures.get("lines_written"));
        assertEquals((long) (sessions - queue), figures.get("dropped"));
        assertEquals(0L, figures.get("write_errors"));
        Map<String, Double> series = PrometheusFormat.parse(PrometheusText.render(daemon.stats()));
        assertEquals((double) (sessions - queue), series.get("lb_access_log_dropped_total"));
        assertEquals((double) queue, series.get("lb_access_log_lines_total"));
        assertEquals(0.0, series.get("lb_access_log_write_errors_total"));
        assertEquals(sessions, ((Number) ((Map<?, ?>) ((List<?>) daemon.stats().get("listeners")).get(0))
                .get("sessions_ended")).intValue(), "the stats thread was never held up");
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor();
    }

    /**
     * A real full disk: a 16 KiB tmpfs (needs root and mount, else skipped) filled to its last page.
     * The log's writes fail part-way, its lost lines are counted, and once space is freed the writer
     * goes on, each new line whole on a line of its own.
     */
    @Test
    void aFullDiskLosesCountedLinesAndOnceItHasRoomTheWriterGoesOnLineByLine() throws Exception {
        Path disk = Files.createDirectory(dir.resolve("disk"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", disk.toString()) == 0, "needs mount");
        try {
            Path filler = disk.resolve("filler");
            try (OutputStream out = Files.newOutputStream(filler)) {
                byte[] kib = new byte[1024];
                for (int i = 0; i < 64; i++) {
                    out.write(kib);
                }
                throw new AssertionError("a 16 KiB disk took 64 KiB");
            } catch (IOException full) {
                // the disk is full
            }
            try (FileChannel channel = FileChannel.open(filler, StandardOpenOption.WRITE)) {
                channel.truncate(channel.size() - 4096); // one page left for the log
            }
            Path log = disk.resolve("access.log");
            EchoBackend one = cleanup.track(EchoBackend.start("one"));
            try (Daemon daemon = Daemon.start(TestConfigs.balancing(one.address()).workers(1)
                    .accessLogFile(log, AccessLogFormat.LOGFMT).build())) {
                int first = 60; // about 7 KiB of lines for 4 KiB of room
                for (int i = 0; i < first; i++) {
                    echo(daemon.listenerAddress(TestConfigs.LISTENER), i);
                }
                Await.until(() -> accessLog(daemon, "lines_written") + accessLog(daemon, "write_errors") == first,
                        WAIT, () -> "every line written or lost: " + daemon.stats().get("access_log"));
                long written = accessLog(daemon, "lines_written");
                assertTrue(written > 0 && accessLog(daemon, "write_errors") > 0, "some fitted, the rest were lost: "
                        + daemon.stats().get("access_log"));
                Files.delete(filler);
                int more = 10;
                for (int i = 0; i < more; i++) {
                    echo(daemon.listenerAddress(TestConfigs.LISTENER), 100 + i);
                }
                Await.until(() -> accessLog(daemon, "lines_written") == written + more, WAIT,
                        () -> "the writer goes on once there is room: " + daemon.stats().get("access_log"));
                List<String> lines = Files.readAllLines(log);
                Pattern whole = Pattern.compile("time=\\S+ client=127\\.0\\.0\\.1:\\d+ "
                        + "listener=test backend=b1 up=2000 down=2000 ms=\\d+ tries=1 end=completed id=\\d+");
                long complete = lines.stream().filter(l -> whole.matcher(l).matches()).count();
                assertEquals(written + more, complete, "every line counted as written is whole: " + lines);
                assertTrue(lines.size() - complete <= 1, "at most the one line cut by the full disk: " + lines);
                for (String line : lines.subList(lines.size() - more, lines.size())) {
                    assertTrue(whole.matcher(line).matches(), "after the disk had room: " + line);
                }
            }
        } finally {
            run("umount", disk.toString());
        }
    }

    @Test
    void aDiskThatRefusesWritesLosesCountedLinesAndTheDaemonGoesOn() throws Exception {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.exists(full), "needs /dev/full (Linux)");
        EchoBackend one = cleanup.track(EchoBackend.start("one"));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(one.address()).workers(1)
                .accessLogFile(full, AccessLogFormat.JSON).build()));
        for (int i = 0; i < 5; i++) {
            echo(daemon.listenerAddress(TestConfigs.LISTENER), i);
        }
        Await.until(() -> accessLog(daemon, "write_errors") == 5, WAIT,
                () -> "lines lost: " + daemon.stats().get("access_log"));
        assertEquals(0, accessLog(daemon, "lines_written"));
        echo(daemon.listenerAddress(TestConfigs.LISTENER), 99); // still relaying
        Await.until(() -> accessLog(daemon, "write_errors") == 6, WAIT, "the writer goes on after a failure");
        assertEquals(0, daemon.activeSessions());
    }
}
