package lb.bench.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Any thread (immutable). Starts lb-daemon as a child process with a generated configuration:
 * from its jar (what operators have after {@code mvn package}), or as {@code lb.Main} from a
 * classpath (tests and IDE runs, where no jar has been built). The listener binds port 0 and the
 * port is read from the daemon's "listener ... on HOST:PORT" log line, so no port is guessed.
 */
public final class LbLauncher {

    /** What lb logs once per bound listener (Daemon.start). */
    private static final Pattern LISTENER_LINE = Pattern.compile("listener \"([^\"]+)\" on (\\S+):(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final List<String> command;

    private LbLauncher(List<String> command) {
        this.command = List.copyOf(command);
    }

    /** {@code java -jar JAR}; the jar must exist. */
    public static LbLauncher jar(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("lb-daemon jar " + jar + " not found: build it with"
                    + " `mvn -B -q package -DskipTests`, or name it with --lb-jar");
        }
        List<String> command = java();
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString()); // the child runs in the scratch directory
        return new LbLauncher(command);
    }

    /** {@code java -cp CLASSPATH lb.Main}. */
    public static LbLauncher classpath(String classpath) {
        List<String> command = java();
        command.add("-cp");
        command.add(classpath);
        command.add("lb.Main");
        return new LbLauncher(command);
    }

    private static List<String> java() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        // As the performance runs in docs/benchmarks.md: the throughput collector, a bounded heap.
        command.add("-XX:+UseParallelGC");
        command.add("-Xmx512m");
        return command;
    }

    /** A started lb and the address its listener bound. */
    public record Started(ChildProcess process, InetSocketAddress listener) {
    }

    /**
     * Writes {@code toml} to {@code dir/name.toml}, starts lb on it and waits for its listener
     * {@code listenerName}; the process is tracked in {@code stops} before waiting, so a daemon
     * that never gets ready is stopped too.
     */
    public Started start(String toml, String listenerName, Path dir, StopList stops)
            throws IOException, InterruptedException {
        Path config = dir.resolve(listenerName + ".toml");
        Files.writeString(config, toml);
        List<String> full = new ArrayList<>(command);
        full.add("--config");
        full.add(config.toString());
        ChildProcess process = stops.track(ChildProcess.start("lb", full, dir));
        while (true) {
            Matcher m = process.awaitLine(LISTENER_LINE, START_TIMEOUT);
            if (m.group(1).equals(listenerName)) {
                return new Started(process, new InetSocketAddress(m.group(2), Integer.parseInt(m.group(3))));
            }
        }
    }
}
