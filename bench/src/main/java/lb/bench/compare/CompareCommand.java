package lb.bench.compare;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import lb.bench.DurationConverter;
import lb.bench.backend.BackendType;
import lb.bench.backend.TestBackend;
import lb.bench.proxy.LbLauncher;
import lb.bench.proxy.LbOptions;
import lb.bench.proxy.ScratchDir;
import lb.bench.proxy.StopList;
import lb.protocol.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Main thread only. {@code bench compare}: the same {@code bench load} runs through lb, HAProxy
 * and nginx {@code stream} in front of the same echo backends, rounds interleaved (round 1: each
 * proxy in turn, round 2: again, ...), so a noisy machine slows all of them alike; prints medians
 * with ratios and each proxy's CPU seconds per load.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {"Runs the same loads through lb, HAProxy and nginx stream and prints the ratios.",
                "The loads are bench load's modes (rr, crr, throughput), through HAProxy (mode tcp, roundrobin) and"
                        + " nginx stream over the same K echo backends, with configurations it writes itself,"
                        + " threads = lb's workers. Starts and stops each proxy per round; interleaves --rounds"
                        + " rounds; prints medians, ratios to HAProxy (to lb without HAProxy) and each proxy's CPU"
                        + " seconds during each load (/proc, warm-up included). A proxy not installed is skipped."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:a proxy did not start or a load failed (the rest is still reported)",
                "2:usage error"})
public final class CompareCommand implements Callable<Integer> {

    static final Duration MAX_DURATION = Duration.ofMinutes(5);

    @Spec
    CommandSpec spec;

    @Option(names = "--only", defaultValue = "haproxy,nginx,lb", split = ",", paramLabel = "NAMES",
            description = "proxies to compare, from lb, haproxy, nginx (default: ${DEFAULT-VALUE})")
    List<String> only;

    @Option(names = "--modes", defaultValue = "rr,crr,throughput", split = ",", paramLabel = "MODES",
            description = "loads to run, from rr, crr, throughput (default: ${DEFAULT-VALUE})")
    List<String> modes;

    @Option(names = "--rounds", defaultValue = "3", paramLabel = "N", description = "rounds, 1..20 (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--duration", defaultValue = "5s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "measured time of each load, at most 5m (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "1s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "load before measuring, at most 1m (default: ${DEFAULT-VALUE})")
    Duration warmup;

    @Option(names = "--backends", defaultValue = "2", paramLabel = "K", description = "echo backends, 1..64 (default: ${DEFAULT-VALUE})")
    int backends;

    @Option(names = {"-c", "--connections"}, defaultValue = "50", paramLabel = "N",
            description = "rr, crr: connections (concurrent attempts); throughput uses 1 stream (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--size", defaultValue = "64", paramLabel = "BYTES", description = "rr, crr request bytes (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--workers", paramLabel = "N",
            description = "lb's event loops = HAProxy's nbthread = nginx's worker_processes (default: one per CPU core)")
    Integer workers;

    @Option(names = "--json", description = "print the results as one JSON object instead of a table")
    boolean json;

    @Mixin
    LbOptions lb;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<ProxyKind> requested = proxies();
        List<Metric> metrics = metrics();
        int threads = threads();
        checkBounds();
        LbLauncher launcher = null;
        if (requested.contains(ProxyKind.LB)) {
            try {
                launcher = lb.launcher();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        List<ProxyKind> proxies = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (ProxyKind kind : requested) {
            if (kind == ProxyKind.LB || kind.executable().isPresent()) {
                proxies.add(kind);
            } else {
                String note = "not installed (Debian: apt-get install " + kind.debianPackages() + ")";
                skipped.put(kind.cliName(), note);
                err.println(kind.cliName() + ": " + note + ", skipped");
            }
        }
        CompareResults results = new CompareResults();
        List<String> failures = new ArrayList<>();
        LbLauncher lbLauncher = launcher;
        StopList stops = new StopList();
        stops.runGuarded(() -> {
            runRounds(proxies, metrics, threads, lbLauncher, stops, results, failures, err);
            return null;
        });
        ProxyKind baseline = results.has(ProxyKind.HAPROXY) ? ProxyKind.HAPROXY : ProxyKind.LB;
        CompareTable table = new CompareTable(proxies, metrics, results, baseline);
        if (json) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("backends", backends);
            summary.put("threads", threads);
            summary.put("rounds", rounds);
            summary.put("duration_s", duration.toMillis() / 1000.0);
            summary.put("warmup_s", warmup.toMillis() / 1000.0);
            summary.put("connections", connections);
            summary.put("baseline", baseline.cliName());
            summary.put("proxies", table.json());
            summary.put("skipped", skipped);
            summary.put("failures", failures);
            out.println(Json.write(summary));
        } else {
            out.printf(Locale.ROOT, "bench compare: %d echo backends, %d threads per proxy, medians of %d round(s) of %.0fs"
                    + " (+%.1fs warm-up) per load, -c %d%n", backends, threads, rounds, duration.toMillis() / 1000.0,
                    warmup.toMillis() / 1000.0, connections);
            table.print(out);
            for (Map.Entry<String, String> e : skipped.entrySet()) {
                out.println(e.getKey() + ": " + e.getValue());
            }
        }
        out.flush();
        for (String failure : failures) {
            err.println(failure);
        }
        err.flush();
        return failures.isEmpty() ? 0 : 1;
    }

    private void runRounds(List<ProxyKind> proxies, List<Metric> metrics, int threads, LbLauncher launcher,
                           StopList stops, CompareResults results, List<String> failures, PrintWriter err)
            throws IOException, InterruptedException {
        ScratchDir dir = stops.track(new ScratchDir("lb-compare"));
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (int i = 0; i < backends; i++) {
            // One backend (and selector thread) per port, as separate servers would be.
            TestBackend backend = stops.track(TestBackend.start(BackendType.ECHO, InetAddress.getLoopbackAddress(),
                    List.of(0)));
            addresses.add(backend.addresses().get(0));
        }
        ProxyStarter starter = new ProxyStarter(addresses, threads, launcher, dir.path(), stops);
        Set<ProxyKind> broken = EnumSet.noneOf(ProxyKind.class);
        for (int round = 1; round <= rounds; round++) {
            for (ProxyKind kind : proxies) {
                if (broken.contains(kind)) {
                    continue;
                }
                err.printf("round %d/%d: %s%n", round, rounds, kind.cliName());
                err.flush();
                ProxyStarter.Running proxy;
                try {
                    proxy = starter.start(kind);
                } catch (IOException e) {
                    broken.add(kind); // a proxy that cannot start will not in the next round either
                    failures.add(kind.cliName() + " did not start: " + e.getMessage());
                    continue;
                }
                try {
                    for (String mode : modes) {
                        double cpuBefore = proxy.process().cpuSeconds();
                        LoadInvocation.Outcome outcome = LoadInvocation.run(proxy.listener(), mode, text(duration),
                                text(warmup), List.of("-c", mode.equals("throughput") ? "1" : Integer.toString(connections),
                                        "--size", Integer.toString(size)));
                        double cpu = proxy.process().cpuSeconds() - cpuBefore;
                        if (outcome.failure() != null) {
                            failures.add(kind.cliName() + " round " + round + ": " + outcome.failure());
                            continue;
                        }
                        for (Metric metric : metrics) {
                            if (!metric.mode().equals(mode)) {
                                continue;
                            }
                            if (metric.cpu()) {
                                results.add(kind, metric, cpu);
                            } else if (outcome.summary().get(metric.loadKey()) instanceof Number n) {
                                results.add(kind, metric, n.doubleValue());
                            }
                        }
                    }
                } finally {
                    stops.stop(proxy.process());
                }
            }
        }
    }

    private List<ProxyKind> proxies() {
        List<ProxyKind> kinds = new ArrayList<>();
        for (String name : only) {
            try {
                ProxyKind kind = ProxyKind.of(name);
                if (!kinds.contains(kind)) {
                    kinds.add(kind);
                }
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--only: " + e.getMessage());
            }
        }
        return kinds;
    }

    private List<Metric> metrics() {
        try {
            return Metric.of(modes);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--modes: " + e.getMessage());
        }
    }

    private int threads() {
        int n = workers != null ? workers : Runtime.getRuntime().availableProcessors();
        if (n < 1 || n > 64) {
            throw new ParameterException(spec.commandLine(), "--workers must be 1..64, not " + n);
        }
        return n;
    }

    private void checkBounds() {
        if (rounds < 1 || rounds > 20) {
            throw usage("--rounds must be 1..20, not " + rounds);
        }
        if (duration.toMillis() < 1000 || duration.compareTo(MAX_DURATION) > 0 || duration.toMillis() % 1000 != 0) {
            throw usage("--duration must be whole seconds, 1s..5m");
        }
        if (warmup.compareTo(Duration.ofMinutes(1)) > 0) {
            throw usage("--warmup must be at most 1m");
        }
        if (backends < 1 || backends > 64) {
            throw usage("--backends must be 1..64, not " + backends);
        }
        if (connections < 1 || connections > 10_000) {
            throw usage("--connections must be 1..10000, not " + connections);
        }
        if (size < 1 || size > 1024 * 1024) {
            throw usage("--size must be 1..1048576, not " + size);
        }
    }

    /** As bench load's --duration reads it. */
    private static String text(Duration d) {
        return d.toMillis() + "ms";
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
