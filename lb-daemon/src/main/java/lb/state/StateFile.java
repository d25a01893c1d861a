package lb.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import lb.protocol.Json;

/**
 * Any thread; callers serialize writes. The journal of runtime changes: a small JSON file, one
 * change per line, replaced atomically (written beside it, synced, renamed over it) so a crash
 * leaves the old file or the new one, never half of one.
 */
public final class StateFile {

    static final int VERSION = 1;
    /** Far more than any real set of runtime changes; a bigger file is not ours. */
    static final long MAX_BYTES = 16L * 1024 * 1024;

    private StateFile() {
    }

    /**
     * The changes in {@code file}; none when it does not exist.
     *
     * @throws IOException when it cannot be read, or is not a state file (the message says why)
     */
    public static List<RuntimeChange> read(Path file) throws IOException {
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IOException(file + " is over " + (MAX_BYTES >> 20) + " MiB: not a state file");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        try {
            if (!(Json.parse(text) instanceof Map<?, ?> root) || !Long.valueOf(VERSION).equals(root.get("version"))
                    || !(root.get("changes") instanceof List<?> entries)) {
                throw new IllegalArgumentException("not a version " + VERSION + " state file (\"version\" and "
                        + "\"changes\" expected)");
            }
            List<RuntimeChange> changes = new ArrayList<>();
            for (Object entry : entries) {
                changes.add(RuntimeChange.fromJson(entry));
            }
            return changes;
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Replaces {@code file} with {@code changes}, atomically and durably. */
    public static void write(Path file, List<RuntimeChange> changes) throws IOException {
        StringBuilder text = new StringBuilder("{\"version\":" + VERSION + ",\"changes\":[");
        for (int i = 0; i < changes.size(); i++) {
            text.append(i == 0 ? "\n" : ",\n").append(Json.write(changes.get(i).toJson()));
        }
        text.append("\n]}\n");
        Path dir = file.toAbsolutePath().getParent();
        Path temp = dir.resolve("." + file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true); // the rename itself must survive a crash
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the file's own contents are synced.
        }
    }
}
