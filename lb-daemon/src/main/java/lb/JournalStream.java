package lb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Any thread (PrintStream locks each line). Standard error as journald reads it: each line starts
 * with its syslog priority ({@code <3>} error, {@code <4>} warning, {@code <6>} info, {@code <7>}
 * debug), taken from the log level slf4j-simple writes after the thread name, so that
 * {@code journalctl -p warning} finds health changes. A line without a level (a stack trace's
 * {@code at ...}) takes its log line's; {@code lb-daemon: ...} lines (start-up failures, a thread
 * that died) are errors. Used only when systemd says stderr is the journal ({@code JOURNAL_STREAM}).
 */
final class JournalStream extends OutputStream {

    private final OutputStream out;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private int lastPriority = 6;

    JournalStream(OutputStream out) {
        this.out = out;
    }

    /** Standard error with priorities, when it is the journal; else {@code err} itself. */
    static PrintStream wrapIfJournal(PrintStream err) {
        if (System.getenv("JOURNAL_STREAM") == null) {
            return err;
        }
        return new PrintStream(new JournalStream(err), true, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) throws IOException {
        if (b == '\n') {
            emit();
        } else {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        int start = offset;
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] == '\n') {
                line.write(bytes, start, i - start);
                emit();
                start = i + 1;
            }
        }
        line.write(bytes, start, offset + length - start);
    }

    private void emit() throws IOException {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        int priority = priorityOf(text);
        if (priority > 0) {
            lastPriority = priority;
        }
        out.write(('<' + Integer.toString(priority > 0 ? priority : lastPriority) + '>' + text + '\n')
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The priority a log line says, or 0 for a continuation line. */
    static int priorityOf(String text) {
        if (text.startsWith("lb-daemon: ")) {
            return 3;
        }
        int thread = text.startsWith("[") ? text.indexOf("] ") : -1; // "[thread] LEVEL logger - message"
        if (thread < 0) {
            return 0;
        }
        String rest = text.substring(thread + 2);
        if (rest.startsWith("ERROR ")) {
            return 3;
        }
        if (rest.startsWith("WARN ")) {
            return 4;
        }
        if (rest.startsWith("INFO ")) {
            return 6;
        }
        if (rest.startsWith("DEBUG ") || rest.startsWith("TRACE ")) {
            return 7;
        }
        return 0;
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }
}
