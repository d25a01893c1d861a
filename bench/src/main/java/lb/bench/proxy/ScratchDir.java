package lb.bench.proxy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Any thread. A temporary directory for generated proxy configurations, pid files and logs,
 * deleted with its contents on {@link #close()}.
 */
public final class ScratchDir implements AutoCloseable {

    private final Path path;

    public ScratchDir(String prefix) throws IOException {
        this.path = Files.createTempDirectory(prefix);
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(path)) {
            all = walk.sorted(Comparator.reverseOrder()).toList(); // children before their directory
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
