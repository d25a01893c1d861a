package lb.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Main thread only. The {@code bench} root command. Today it only knows {@code --help} and
 * {@code --version}; the load generator, test backends and JMH runs are added here as subcommand
 * classes by the bench issue.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Bench.VersionProvider.class,
        usageHelpAutoWidth = true,
        description = {"Load generator, test backends and micro-benchmarks for lb; commands arrive with the bench issue."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "2:usage error"})
public final class Bench implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    /** No subcommand given: show what there is rather than fail silently. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Any thread. The version Maven wrote into the jar; "dev" when run from a build tree. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        // maven-jar-plugin adds this descriptor to every jar and the shade plugin keeps it, so the
        // version needs no resource filtering.
        private static final String POM_PROPERTIES = "/META-INF/maven/lb/bench/pom.properties";

        @Override
        public String[] getVersion() {
            return new String[] {"bench " + version(), "Java " + Runtime.version()};
        }

        private static String version() {
            try (InputStream in = Bench.class.getResourceAsStream(POM_PROPERTIES)) {
                if (in == null) {
                    return "dev";
                }
                Properties properties = new Properties();
                properties.load(in);
                return properties.getProperty("version", "dev");
            } catch (IOException e) {
                return "dev";
            }
        }
    }
}
