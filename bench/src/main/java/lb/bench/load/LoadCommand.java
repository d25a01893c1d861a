package lb.bench.load;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;

import lb.bench.DurationConverter;
import lb.protocol.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Main thread only. {@code bench load}: checks the options, runs one load test against a target,
 * prints progress on stderr once a second and the summary on stdout (a table, or one JSON object
 * with {@code --json}).
 */
@Command(name = "load", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {"Generates load against a TCP target (lb, or a backend directly) and reports what it measured.",
                "Modes: throughput (Gbit/s over long-lived streams), rr (request/response over persistent"
                        + " connections), crr (a new connection per request), tls (a new TLS connection per request:"
                        + " full handshake, then the echo), idle (open and hold connections).",
                "tls trusts every certificate and checks no host name: it measures handshakes and where they are"
                        + " routed, not who answers. No session is resumed.",
                "The run lasts --warmup plus --duration; only --duration is measured."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:the target could not be reached, or nothing succeeded", "2:usage error"})
public final class LoadCommand implements Callable<Integer> {

    /** Longest allowed --duration and --warmup: a load test is a bounded experiment. */
    static final Duration MAX_DURATION = Duration.ofHours(1);
    static final int MAX_CONNECTIONS = 100_000;
    static final int MAX_SIZE = 16 * 1024 * 1024;
    /** How long a signal waits for the summary of the run it stopped. */
    private static final long REPORT_AFTER_SIGNAL_SECONDS = 10;

    @Spec
    CommandSpec spec;

    @Option(names = "--target", required = true, paramLabel = "HOST:PORT", description = "where to send the load")
    String target;

    @Option(names = "--mode", required = true, converter = Mode.Converter.class, paramLabel = "MODE",
            description = "throughput, rr, crr, tls or idle")
    Mode mode;

    @Option(names = "--duration", defaultValue = "10s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "measured time, at most 1h (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "2s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "load before measuring starts, not counted (default: ${DEFAULT-VALUE})")
    Duration warmup;

    @Option(names = {"-c", "--connections"}, paramLabel = "N",
            description = "streams, connections or concurrent attempts (default: 1 for throughput, 16 for rr, crr"
                    + " and tls, 100 for idle)")
    Integer connections;

    @Option(names = {"-t", "--threads"}, paramLabel = "N",
            description = "load threads, each with its own selector (default: min(connections, CPUs))")
    Integer threads;

    @Option(names = "--direction", converter = Direction.Converter.class, paramLabel = "push|pull",
            description = "throughput: push (write to an echo or sink backend) or pull (read from a source backend);"
                    + " default push")
    Direction direction;

    @Option(names = "--size", defaultValue = "64", paramLabel = "BYTES",
            description = "rr, crr, tls: request bytes, echoed back; tls: 0 = close once the handshake is complete"
                    + " (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--rate", paramLabel = "PER_SECOND",
            description = "rr, crr, tls: total requests (connections) per second on a fixed schedule; latency is then"
                    + " measured from the intended send time (default: as fast as possible)")
    Long rate;

    @Option(names = "--timeout", defaultValue = "2s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "crr, tls, idle: deadline of one connect (crr: connect plus echo; tls: connect, handshake"
                    + " and echo) (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--json", description = "print the summary as one JSON object instead of a table")
    boolean json;

    @Option(names = "--histogram", paramLabel = "FILE",
            description = "rr, crr, tls: write the latencies (ns) as an HdrHistogram interval log, one interval per"
                    + " second")
    Path histogram;

    @Option(names = "--allow-remote", description = "allow a target that is not a loopback address")
    boolean allowRemote;

    @Option(names = "--bind", paramLabel = "ADDRESS",
            description = "connect from this local address, e.g. 127.0.0.2 to stand for another client (a loopback "
                    + "address unless --allow-remote)")
    String bind;

    @Option(names = "--sni", split = ",", paramLabel = "NAME[,NAME...]",
            description = "tls: server names (SNI) sent in turn, one per connection (default: none sent)")
    List<String> sni;

    @Option(names = "--alpn", split = ",", paramLabel = "PROTO[,PROTO...]",
            description = "tls: ALPN protocols offered, e.g. h2,http/1.1 (default: none offered)")
    List<String> alpn;

    @Override
    public Integer call() throws Exception {
        LoadPlan plan = plan();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Timeline timeline = Timeline.starting(System.nanoTime(), plan);
        LoadRun run = new LoadRun(plan, err);
        // Ctrl-C or SIGTERM ends the run early, and the JVM waits in the hook until what was
        // measured so far has been reported.
        CountDownLatch reported = new CountDownLatch(1);
        Thread stopOnSignal = new Thread(() -> {
            timeline.stopAt(System.nanoTime());
            run.wakeWorkers();
            try {
                reported.await(REPORT_AFTER_SIGNAL_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "load-stop");
        Runtime.getRuntime().addShutdownHook(stopOnSignal);
        try {
            return runAndReport(plan, timeline, run, out, err);
        } finally {
            reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnSignal);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running and has just been released
            }
        }
    }

    private int runAndReport(LoadPlan plan, Timeline timeline, LoadRun run, PrintWriter out, PrintWriter err)
            throws Exception {
        Report report;
        boolean succeeded;
        String firstError;
        if (plan.mode() == Mode.IDLE) {
            IdleLoad.Result result = new IdleLoad(plan, err).run(timeline);
            report = Reports.idle(plan, timeline, result);
            // Holding is the point of an idle test: connections opened and then dropped are no success.
            succeeded = result.held() > 0;
            firstError = result.opened() > 0 && result.held() == 0
                    ? "all " + result.opened() + " connections were closed by the target before the end"
                    : result.firstError();
        } else {
            RunResult result;
            try (LatencyLog log = openLog(plan, timeline)) {
                result = run.run(timeline, log);
            }
            report = plan.mode() == Mode.THROUGHPUT ? Reports.throughput(plan, timeline, result)
                    : Reports.requestResponse(plan, timeline, result);
            succeeded = plan.mode() == Mode.THROUGHPUT ? result.bytes() > 0 : result.operations() > 0;
            firstError = result.firstError();
        }
        if (json) {
            out.println(Json.write(report.json()));
            out.flush();
        } else {
            out.printf("bench load: %s against %s%n", plan.mode().cliName(), target);
            report.printTable(out);
        }
        if (!succeeded) {
            err.println("no successful " + (plan.mode() == Mode.IDLE ? "held connection" : "operation") + " against "
                    + target + (firstError == null ? "" : ": " + firstError));
            err.flush();
            return 1;
        }
        return 0;
    }

    private LatencyLog openLog(LoadPlan plan, Timeline timeline) {
        if (histogram == null) {
            return null;
        }
        try {
            return new LatencyLog(histogram, timeline, "bench load --mode " + plan.mode().cliName() + " --target " + target);
        } catch (FileNotFoundException e) {
            throw new ParameterException(spec.commandLine(), "--histogram " + histogram + ": cannot write: "
                    + e.getMessage());
        }
    }

    /** Checks the options together; anything wrong is a usage error (exit 2) naming the option. */
    LoadPlan plan() {
        InetSocketAddress address;
        try {
            address = Target.parse(target);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        if (!address.getAddress().isLoopbackAddress() && !allowRemote) {
            throw usage("--target " + target + " is not a loopback address; bench load only sends load to this host"
                    + " unless --allow-remote is given");
        }
        if (duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw usage("--duration must be more than 0 and at most 1h, not " + duration.toMillis() + " ms");
        }
        if (warmup.compareTo(MAX_DURATION) > 0) {
            throw usage("--warmup must be at most 1h");
        }
        if (timeout.isZero() || timeout.compareTo(MAX_DURATION) > 0) {
            throw usage("--timeout must be more than 0 and at most 1h");
        }
        int n = connections != null ? connections : switch (mode) {
            case THROUGHPUT -> 1;
            case RR, CRR, TLS -> 16;
            case IDLE -> 100;
        };
        if (n < 1 || n > MAX_CONNECTIONS) {
            throw usage("--connections must be 1.." + MAX_CONNECTIONS + ", not " + n);
        }
        int t = threads != null ? threads : Math.min(n, Runtime.getRuntime().availableProcessors());
        if (t < 1 || t > 1024) {
            throw usage("--threads must be 1..1024, not " + t);
        }
        if (direction != null && mode != Mode.THROUGHPUT) {
            throw usage("--direction is for --mode throughput only");
        }
        boolean latencies = mode == Mode.RR || mode.churns();
        if (rate != null && !latencies) {
            throw usage("--rate is for --mode rr, crr and tls only");
        }
        if (rate != null && (rate < 1 || rate > 100_000_000L)) {
            throw usage("--rate must be 1..100000000 per second, not " + rate);
        }
        if (histogram != null && !latencies) {
            throw usage("--histogram is for --mode rr, crr and tls only (the modes that measure latency)");
        }
        int minSize = mode == Mode.TLS ? 0 : 1;
        if (size < minSize || size > MAX_SIZE) {
            throw usage("--size must be " + minSize + ".." + MAX_SIZE + " bytes, not " + size);
        }
        List<String> names = sni == null ? List.of() : List.copyOf(sni);
        List<String> protocols = alpn == null ? List.of() : List.copyOf(alpn);
        if (!names.isEmpty() && mode != Mode.TLS) {
            throw usage("--sni is for --mode tls only");
        }
        if (!protocols.isEmpty() && mode != Mode.TLS) {
            throw usage("--alpn is for --mode tls only");
        }
        for (String name : names) {
            try {
                new SNIHostName(name);
            } catch (IllegalArgumentException e) {
                throw usage("--sni '" + name + "' is not a host name a server_name can carry: " + e.getMessage());
            }
        }
        for (String protocol : protocols) {
            int bytes = protocol.getBytes(StandardCharsets.UTF_8).length;
            if (bytes < 1 || bytes > 255) {
                throw usage("--alpn '" + protocol + "': a protocol name is 1..255 bytes, not " + bytes);
            }
        }
        java.net.InetAddress from = null;
        if (bind != null) {
            try {
                from = java.net.InetAddress.getByName(bind);
            } catch (java.net.UnknownHostException e) {
                throw usage("--bind " + bind + ": not an address");
            }
            if (!from.isLoopbackAddress() && !allowRemote) {
                throw usage("--bind " + bind + " is not a loopback address");
            }
        }
        return new LoadPlan(address, mode, direction == null ? Direction.PUSH : direction, n, t, duration.toNanos(),
                warmup.toNanos(), size, rate == null ? 0 : rate, timeout.toNanos(), from, names, protocols);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
