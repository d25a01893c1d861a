package lb.stats;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.config.AccessLogFormat;
import lb.config.DaemonConfig;
import lb.loop.Sockets;
import lb.session.SessionEvent;

/**
 * {@link #write} on the {@code lb-stats} thread only; the rest any thread. Where the access log's
 * lines go ({@code [daemon] access_log}): nowhere, the journal (SLF4J logger {@code lb.access} on
 * stderr), or a file written by its own thread ({@link AccessLogFile}).
 */
public final class AccessLog implements AutoCloseable {

    private static final Logger JOURNAL = LoggerFactory.getLogger("lb.access");

    private final AccessLine line; // null when off
    private final AccessLogFile file; // null unless a file

    private AccessLog(AccessLine line, AccessLogFile file) {
        this.line = line;
        this.file = file;
    }

    public static AccessLog off() {
        return new AccessLog(null, null);
    }

    /** Lines to the journal (logger {@code lb.access}), without a time of their own (journald stamps them). */
    public static AccessLog journal(AccessLogFormat format) {
        return new AccessLog(new AccessLine(format, false), null);
    }

    /**
     * As {@code d} says; a file is opened (created) now and its writer thread started.
     *
     * @param queueLines lines that may wait for the file's writer ({@link AccessLogFile#DEFAULT_QUEUE_LINES})
     * @throws IOException when the file cannot be opened
     */
    public static AccessLog open(DaemonConfig d, int queueLines) throws IOException {
        if (!d.accessLog()) {
            return off();
        }
        if (d.accessLogFile() == null) {
            return journal(d.accessLogFormat());
        }
        try {
            return new AccessLog(new AccessLine(d.accessLogFormat(), true), AccessLogFile.open(d.accessLogFile(),
                    queueLines));
        } catch (IOException e) {
            throw new IOException("daemon.access_log: cannot open " + d.accessLogFile() + ": " + e, e);
        }
    }

    /** Whether lines are written at all. */
    public boolean on() {
        return line != null;
    }

    /** lb-stats thread: the line for one ended session. */
    void write(SessionEvent e) {
        String text = line.format(file != null ? System.currentTimeMillis() : 0, format(e.client), e.listener.name(),
                e.backend != null ? e.backend.name() : null, e.up, e.down, e.durationNs / 1_000_000, e.attempts,
                e.end.label(), e.id, e.sni);
        if (file != null) {
            file.offer(text);
        } else {
            JOURNAL.info(text);
        }
    }

    private static String format(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? Sockets.hostPort(inet) : String.valueOf(address);
    }

    /** Any thread: a fresh file at the path (SIGUSR1 after a rotation); false when the log is not a file. */
    public boolean reopen() {
        if (file == null) {
            return false;
        }
        file.reopen();
        return true;
    }

    /**
     * Any thread: stops (or resumes) a file's writer, as a disk that takes no writes would: lines
     * queue up, then drop, counted. For tests.
     */
    public void holdWriter(boolean on) {
        if (file != null) {
            file.hold(on);
        }
    }

    /** Any thread: the stats report's {@code access_log} figures (docs/metrics.md). */
    Map<String, Object> report() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", line == null ? "off" : file == null ? "journal" : "file");
        if (file != null) {
            m.put("path", file.path().toString());
        }
        m.put("lines_written", file == null ? 0L : file.written());
        m.put("dropped", file == null ? 0L : file.dropped());
        m.put("write_errors", file == null ? 0L : file.lost());
        m.put("reopens", file == null ? 0L : file.reopens());
        return m;
    }

    /** Any thread, once no more lines come: writes the file's queued lines and closes it. */
    @Override
    public void close() {
        if (file != null) {
            file.close();
        }
    }
}
