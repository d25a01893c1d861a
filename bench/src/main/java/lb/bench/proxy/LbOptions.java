package lb.bench.proxy;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/**
 * Main thread only (picocli fills it). How a bench command starts lb: {@code --lb-jar} (default
 * the build's jar) or {@code --lb-classpath} (run {@code lb.Main} from a classpath, as the tests do).
 */
public final class LbOptions {

    @Option(names = "--lb-jar", defaultValue = "lb-daemon/target/lb-daemon.jar", paramLabel = "JAR",
            description = "lb-daemon jar to start (default: ${DEFAULT-VALUE})")
    Path jar;

    @Option(names = "--lb-classpath", paramLabel = "CLASSPATH",
            description = "start lb.Main from this classpath instead of --lb-jar (tests, build trees)")
    String classpath;

    /** @throws IllegalArgumentException when the jar is missing */
    public LbLauncher launcher() {
        return classpath != null ? LbLauncher.classpath(classpath) : LbLauncher.jar(jar);
    }
}
