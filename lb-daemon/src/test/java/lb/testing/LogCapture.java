package lb.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The test thread opens and closes it; any thread logs into it. The log lines this JVM writes while
 * it is open, for a test to count: slf4j-simple writes each line to whatever {@code System.err} is
 * at that moment, so this swaps in a stream that keeps every line and still passes it on to the
 * real stderr. {@link #close()} puts the real one back. Lines of other tests' leftover threads may
 * come in too: match on something only this test's cause writes (a pool's name, say).
 */
public final class LogCapture implements AutoCloseable {

    private final PrintStream original;
    private final List<String> lines = new ArrayList<>(); // guarded by itself

    private LogCapture() {
        this.original = System.err;
        System.setErr(new PrintStream(new LineSplitter(), true, StandardCharsets.UTF_8));
    }

    public static LogCapture start() {
        return new LogCapture();
    }

    /** The lines so far in which {@code pattern} is found, in the order they were written. */
    public List<String> lines(Pattern pattern) {
        synchronized (lines) {
            return lines.stream().filter(l -> pattern.matcher(l).find()).toList();
        }
    }

    @Override
    public void close() {
        System.err.flush();
        System.setErr(original);
    }

    /** Any thread (PrintStream serializes writers): cuts what it gets into lines and passes it on. */
    private final class LineSplitter extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            original.write(b);
            split(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            original.write(bytes, offset, length);
            for (int i = offset; i < offset + length; i++) {
                split(bytes[i]);
            }
        }

        private void split(int b) {
            if (b != '\n') {
                line.write(b);
                return;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            synchronized (lines) {
                lines.add(text);
            }
        }

        @Override
        public void flush() {
            original.flush();
        }
    }
}
