package lb.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Main thread only. The {@code lb-cli} root command. Today it only knows {@code --help} and
 * {@code --version}; the admin subcommands ({@code status}, {@code drain}, ...) are added here as
 * subcommand classes by the admin-socket issue.
 */
@Command(name = "lb-cli", mixinStandardHelpOptions = true, versionProvider = LbCli.VersionProvider.class,
        usageHelpAutoWidth = true,
        description = {"Operator CLI for lb-daemon: talks to its admin Unix socket.",
            "Admin commands arrive with the admin-socket issue; for now only --help and --version work."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:refused by the daemon", "2:usage error", "3:cannot reach the daemon"})
public final class LbCli implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LbCli()).execute(args));
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
        private static final String POM_PROPERTIES = "/META-INF/maven/lb/lb-cli/pom.properties";

        @Override
        public String[] getVersion() {
            return new String[] {"lb-cli " + version(), "Java " + Runtime.version()};
        }

        private static String version() {
            try (InputStream in = LbCli.class.getResourceAsStream(POM_PROPERTIES)) {
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
