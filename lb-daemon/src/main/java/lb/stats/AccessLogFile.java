package lb.stats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.jctools.queues.SpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.log.InjectedFault;
import lb.log.RateLimitedLog;

/**
 * Owns the {@code lb-access-log} thread and the file it writes; {@link #offer} is for the
 * {@code lb-stats} thread only (the one producer of a single-producer queue), the rest for any thread.
 *
 * <p>Why a thread of its own: a write to a slow or full disk blocks, and the stats thread must go on
 * draining the loops' rings (else their events drop) and answering reports. Lines wait in a bounded
 * queue; when it is full the line is dropped and counted, never waited for. The writer batches
 * lines into one buffer, writes it when full or when the queue is empty, so a busy log costs a
 * write per 64 KiB and an idle one a write per line.
 *
 * <p>A failed write (disk full, I/O error) loses the lines in that write: they are counted, the
 * failure is logged at most once per interval, and the writer goes on with the next lines (those
 * land once there is room again). {@link #reopen()} (SIGUSR1, after logrotate renamed the file)
 * makes the writer flush to the old file and go on in a fresh one at the same path.
 */
public final class AccessLogFile implements AutoCloseable {

    /** Lines that may wait for the writer: about 10 MB of lines, several seconds of a very busy daemon. */
    public static final int DEFAULT_QUEUE_LINES = 65_536;
    private static final Logger LOG = LoggerFactory.getLogger(AccessLogFile.class);
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final byte[] NEWLINE = {'\n'};
    private static final long IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MAX_IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Client addresses are personal data: readable by the daemon's group (operators), not by everyone. */
    private static final FileAttribute<?> MODE = PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-r-----"));
    private static final Set<StandardOpenOption> OPEN = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);

    private final Path path;
    private final SpscArrayQueue<String> queue;
    private final Thread thread;
    private final RateLimitedLog writeFailures = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private final RateLimitedLog reopenFailures = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    private final AtomicLong dropped = new AtomicLong();
    private volatile long written;
    private volatile long lost;
    private volatile long reopens;
    private volatile boolean reopenAsked;
    private volatile boolean held;
    private volatile boolean running = true;
    private FileChannel channel; // writer thread only, once started
    private int linesInBuffer; // writer thread only
    private boolean brokenLine; // writer thread only

    private AccessLogFile(Path path, int queueLines, FileChannel channel) {
        this.path = path;
        this.queue = new SpscArrayQueue<>(queueLines);
        this.channel = channel;
        this.thread = new Thread(this::run, "lb-access-log");
        this.thread.setDaemon(true);
    }

    /**
     * Opens (or creates, mode 0640) {@code path} for appending and starts the writer.
     *
     * @throws IOException when the file cannot be opened: the daemon does not start without its log
     */
    public static AccessLogFile open(Path path, int queueLines) throws IOException {
        AccessLogFile file = new AccessLogFile(path, queueLines, openChannel(path));
        file.thread.start();
        return file;
    }

    private static FileChannel openChannel(Path path) throws IOException {
        return FileChannel.open(path, OPEN, MODE);
    }

    /** lb-stats thread: queues {@code line}; false (and counted) when the queue is full. */
    public boolean offer(String line) {
        if (queue.offer(line)) {
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    /** Any thread: asks the writer to go on in a fresh file at the path (after the next line it has). */
    public void reopen() {
        reopenAsked = true;
        LockSupport.unpark(thread);
    }

    /** Any thread: lines dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Any thread: lines in the file (written without error). */
    public long written() {
        return written;
    }

    /** Any thread: lines lost because writing them failed (disk full, I/O error). */
    public long lost() {
        return lost;
    }

    /** Any thread: how many times the file was reopened. */
    public long reopens() {
        return reopens;
    }

    public Path path() {
        return path;
    }

    /**
     * Any thread: stops (or resumes) the writer, as a disk that does not take writes would; lines
     * queue up, then drop. For tests.
     */
    public void hold(boolean on) {
        held = on;
        LockSupport.unpark(thread);
    }

    private void run() {
        long parkNs = IDLE_PARK_NS;
        while (running) {
            InjectedFault.check();
            if (reopenAsked) {
                reopenNow();
            }
            int taken = held ? 0 : drain();
            if (taken > 0) {
                parkNs = IDLE_PARK_NS;
                continue;
            }
            flush(); // the queue is empty: what is buffered goes out now, not when the next burst comes
            LockSupport.parkNanos(this, parkNs);
            parkNs = Math.min(MAX_IDLE_PARK_NS, parkNs * 2);
        }
        drain();
        flush();
        closeChannel(channel);
    }

    /** Buffers what is queued (writing each time the buffer fills); how many lines it took. */
    private int drain() {
        int taken = 0;
        for (String line; (line = queue.poll()) != null; ) {
            append(line.getBytes(StandardCharsets.UTF_8));
            taken++;
        }
        return taken;
    }

    private void append(byte[] line) {
        if (buffer.remaining() < line.length + 1) {
            flush();
        }
        if (buffer.remaining() < line.length + 1) {
            // Longer than the buffer (names are short, so never in practice): on its own.
            ByteBuffer alone = ByteBuffer.allocate(line.length + 1).put(line).put((byte) '\n').flip();
            linesInBuffer = 1;
            writeOut(alone);
            return;
        }
        buffer.put(line).put((byte) '\n');
        linesInBuffer++;
    }

    private void flush() {
        if (linesInBuffer == 0) {
            return;
        }
        buffer.flip();
        writeOut(buffer);
        buffer.clear();
    }

    /**
     * Writes {@code bytes} whole (they hold {@link #linesInBuffer} lines), or counts the lines that
     * did not get out lost.
     */
    private void writeOut(ByteBuffer bytes) {
        int lines = linesInBuffer;
        linesInBuffer = 0;
        int start = bytes.position();
        try {
            if (brokenLine) {
                // The last failed write left part of a line: end it, so the next line starts its own.
                ByteBuffer newline = ByteBuffer.wrap(NEWLINE);
                while (newline.hasRemaining()) {
                    channel.write(newline);
                }
                brokenLine = false;
            }
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            written += lines; // one writer: a plain read-add-write of a volatile is safe
        } catch (IOException | RuntimeException e) {
            // A write that failed part-way (the disk filled up) may have put some whole lines out.
            int whole = 0;
            for (int i = start; i < bytes.position(); i++) {
                if (bytes.get(i) == '\n') {
                    whole++;
                }
            }
            brokenLine |= bytes.position() > start && bytes.get(bytes.position() - 1) != '\n';
            written += whole;
            lost += lines - whole;
            writeFailures.error(System.nanoTime(), "access log: cannot write to " + path + " (" + e
                    + "); " + (lines - whole) + " line(s) lost, going on with the next ones");
        }
    }

    /** Flushes to the file now open, then swaps in a fresh one; keeps the old one if the path cannot be opened. */
    private void reopenNow() {
        reopenAsked = false;
        drain();
        flush();
        FileChannel fresh;
        try {
            fresh = openChannel(path);
        } catch (IOException | RuntimeException e) {
            reopenFailures.error(System.nanoTime(), "access log: cannot reopen " + path + " (" + e
                    + "); still writing to the file open before");
            return;
        }
        closeChannel(channel);
        channel = fresh;
        brokenLine = false; // a half line stays in the old file
        reopens++; // one writer: a plain read-add-write of a volatile is safe
    }

    private void closeChannel(FileChannel old) {
        try {
            old.close();
        } catch (IOException e) {
            writeFailures.error(System.nanoTime(), "access log: closing " + path + " failed (" + e + ")");
        }
    }

    /** Any thread, after the last {@link #offer}: writes what is queued, closes the file, stops the thread. */
    @Override
    public void close() {
        held = false;
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
