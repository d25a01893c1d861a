package lb.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import lb.bench.backend.BackendCommand;
import lb.bench.compare.CompareCommand;
import lb.bench.herd.HerdCommand;
import lb.bench.load.LoadCommand;
import lb.protocol.OperatorNumbers;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Main thread only. The {@code bench} root command: {@code backend} runs test backends,
 * {@code load} generates load against lb (or anything listening on TCP) and reports what it
 * measured. The JMH micro-benchmarks run through their own scripts ({@code bench/jmh-pick.sh}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Bench.VersionProvider.class,
        usageHelpAutoWidth = true,
        subcommands = {BackendCommand.class, LoadCommand.class, HerdCommand.class, CompareCommand.class},
        description = {"Load generator and test backends for lb.",
                "  bench backend --type echo --port 9001 --port 9002",
                "  bench load --target 127.0.0.1:8080 --mode rr -c 32 --duration 10s",
                "  bench herd --backends 4 --clients 100 --kill-after 3s --matrix",
                "  bench compare --rounds 3 --duration 5s"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:failed (see each command)", "2:usage error"})
public final class Bench implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** bench's parser: numbers read with messages in operator words, as lb-cli's. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Bench());
        CommandLine.ITypeConverter<Integer> wholeInt = text -> operatorWords(() -> OperatorNumbers.wholeInt(text));
        CommandLine.ITypeConverter<Long> wholeLong = text -> operatorWords(() -> OperatorNumbers.wholeLong(text));
        CommandLine.ITypeConverter<Double> number = text -> operatorWords(() -> OperatorNumbers.number(text));
        return cli.registerConverter(Integer.class, wholeInt).registerConverter(int.class, wholeInt)
                .registerConverter(Long.class, wholeLong).registerConverter(long.class, wholeLong)
                .registerConverter(Double.class, number).registerConverter(double.class, number);
    }

    private static <T> T operatorWords(java.util.function.Supplier<T> reading) {
        try {
            return reading.get();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
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
