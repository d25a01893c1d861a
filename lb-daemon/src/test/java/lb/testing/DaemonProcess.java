package lb.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Any thread. An {@code lb.Main} process (see {@link ChildJvm}); the daemon logs to stderr, which
 * {@link #awaitLine} searches.
 */
public final class DaemonProcess extends ChildJvm {

    /** The line the daemon logs per bound listener. */
    public static final Pattern LISTENER_LINE = Pattern.compile("listener \"([^\"]+)\" on (\\S+):(\\d+)");
    public static final Pattern READY_LINE = Pattern.compile("ready");
    public static final Pattern STOPPING_LINE = Pattern.compile("stopping");

    private DaemonProcess(String... args) throws IOException {
        super("256m", "lb.Main", noWarmup(args), false);
    }

    private DaemonProcess(int fileLimit, List<String> jvmOptions, String... args) throws IOException {
        super(fileLimit, jvmOptions, "256m", "lb.Main", noWarmup(args), false);
    }

    private DaemonProcess(java.util.Map<String, String> environment, String... args) throws IOException {
        super(0, List.of(), environment, "256m", "lb.Main", noWarmup(args), false);
    }

    private DaemonProcess(List<String> jvmOptions, java.util.Map<String, String> environment, String... args)
            throws IOException {
        super(0, jvmOptions, environment, "256m", "lb.Main", noWarmup(args), false);
    }

    /**
     * The tests' daemons start without the start-up warm-up (2 s of synthetic traffic each would add
     * minutes to the suite), unless a test asks for one with its own {@code --warmup}.
     */
    private static List<String> noWarmup(String... args) {
        if (List.of(args).contains("--warmup")) {
            return List.of(args);
        }
        List<String> all = new java.util.ArrayList<>(List.of("--warmup", "0s"));
        all.addAll(List.of(args));
        return all;
    }

    /** With extra JVM options and {@code environment} added. */
    public static DaemonProcess startWith(List<String> jvmOptions, java.util.Map<String, String> environment,
                                          String... args) throws IOException {
        return new DaemonProcess(jvmOptions, environment, args);
    }

    /** A daemon with {@code environment} added (e.g. {@code JOURNAL_STREAM}, as systemd sets it). */
    public static DaemonProcess startWithEnvironment(java.util.Map<String, String> environment, String... args)
            throws IOException {
        return new DaemonProcess(environment, args);
    }

    public static DaemonProcess start(String... args) throws IOException {
        return new DaemonProcess(args);
    }

    /** A daemon that may open at most {@code fileLimit} descriptors ({@code ulimit -n}). */
    public static DaemonProcess startWithFileLimit(int fileLimit, String... args) throws IOException {
        return new DaemonProcess(fileLimit, List.of(), args);
    }

    /** A daemon started with extra JVM options (e.g. a test-only {@code -Dlb.test.fault=...}). */
    public static DaemonProcess startWithJvmOptions(List<String> jvmOptions, String... args) throws IOException {
        return new DaemonProcess(0, jvmOptions, args);
    }

    /** The address logged for listener {@code name}. */
    public InetSocketAddress awaitListener(String name, Duration timeout) throws InterruptedException {
        Pattern one = Pattern.compile("listener \"" + Pattern.quote(name) + "\" on (\\S+):(\\d+)");
        Matcher m = awaitLine(one, timeout);
        return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
    }

    /**
     * Sends SIGTERM. Through the {@link ProcessHandle}, not {@link Process#destroy()}: that also
     * closes our ends of the process's stdout and stderr, and the log lines written after the
     * signal (the ones shutdown tests look for) would be lost.
     */
    public void terminate() {
        process().toHandle().destroy();
    }
}
