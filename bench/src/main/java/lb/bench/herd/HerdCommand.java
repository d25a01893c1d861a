package lb.bench.herd;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import lb.bench.DurationConverter;
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
 * Main thread only. {@code bench herd}: a thundering-herd experiment. Starts K echo backends and
 * lb over them (a child process), M clients that reconnect as fast as they can, kills backend 1
 * mid-run, and reports per second how the load moved and how long clients saw errors.
 */
@Command(name = "herd", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {"Kills a backend under load and reports how lb's clients recovered.",
                "K echo backends behind an lb it starts, M clients that connect, send a small request, read the"
                        + " echo and close, again and again; backend b1 is killed at --kill-after (stops listening,"
                        + " resets its connections). Reports sessions per backend and client errors per second, the"
                        + " recovery time (kill until errors stop for 1 s) and the peak load on a survivor.",
                "Loopback only; everything it starts is stopped at the end, on Ctrl-C too."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:lb could not be started, or no session succeeded", "2:usage error"})
public final class HerdCommand implements Callable<Integer> {

    static final Duration MAX_DURATION = Duration.ofMinutes(10);

    @Spec
    CommandSpec spec;

    @Option(names = "--backends", defaultValue = "4", paramLabel = "K", description = "echo backends, 2..64 (default: ${DEFAULT-VALUE})")
    int backends;

    @Option(names = "--clients", defaultValue = "100", paramLabel = "M", description = "client threads, 1..5000 (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--duration", defaultValue = "10s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "length of one run, at most 10m (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--kill-after", defaultValue = "3s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "when b1 is killed, before the end of the run (default: ${DEFAULT-VALUE})")
    Duration killAfter;

    @Option(names = "--retry", defaultValue = "none", converter = RetryPolicy.Converter.class, paramLabel = "POLICY",
            description = "after a failed session: none (give the request up), immediate (retry at once), jittered"
                    + " (exponential backoff 10ms..1s with full jitter); up to 4 attempts (default: ${DEFAULT-VALUE})")
    RetryPolicy retry;

    @Option(names = "--circuit-breaking", defaultValue = "on", paramLabel = "on|off",
            description = "on: tcp health checks every 200ms (fall 2, rise 2) and outlier ejection after 3 consecutive"
                    + " failures in lb's config; off: neither (default: ${DEFAULT-VALUE})")
    String circuitBreaking;

    @Option(names = "--matrix", description = "run retry none/jittered x circuit breaking off/on and compare them")
    boolean matrix;

    @Option(names = "--size", defaultValue = "64", paramLabel = "BYTES", description = "request bytes, echoed back (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--hold", defaultValue = "0ms", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "keep each session open this long after its echo (default: ${DEFAULT-VALUE})")
    Duration hold;

    @Option(names = "--timeout", defaultValue = "1s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "connect deadline and echo read deadline of a session (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--workers", paramLabel = "N", description = "lb event loops (default: one per CPU core)")
    Integer workers;

    @Option(names = "--lb-retries", defaultValue = "0", paramLabel = "N",
            description = "the pool's retries in lb's config; 0 so that clients see what a dead backend does"
                    + " (lb's own default is 2) (default: ${DEFAULT-VALUE})")
    int lbRetries;

    @Option(names = "--json", description = "print the results as one JSON object instead of tables")
    boolean json;

    @Option(names = "--svg", paramLabel = "FILE",
            description = "write a line chart of sessions/s per backend (with --matrix: FILE-<retry>-cb-<on|off>.svg)")
    Path svg;

    @Mixin
    LbOptions lb;

    @Override
    public Integer call() throws Exception {
        HerdPlan plan = plan();
        LbLauncher launcher;
        try {
            launcher = lb.launcher();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<HerdPlan> plans = matrix ? List.of(plan.with(RetryPolicy.NONE, false), plan.with(RetryPolicy.NONE, true),
                plan.with(RetryPolicy.JITTERED, false), plan.with(RetryPolicy.JITTERED, true)) : List.of(plan);
        StopList stops = new StopList();
        List<HerdResult> results;
        try {
            results = stops.runGuarded(() -> {
                ScratchDir dir = stops.track(new ScratchDir("lb-herd"));
                List<HerdResult> done = new ArrayList<>();
                for (HerdPlan p : plans) {
                    err.printf("bench herd: retry %s, circuit breaking %s%n", p.retry().cliName(),
                            OnOff.text(p.circuitBreaking()));
                    done.add(new HerdRun(p, launcher, dir.path(), stops, err).run());
                }
                return done;
            });
        } catch (IOException e) {
            err.println("bench herd: " + e.getMessage());
            err.flush();
            return 1;
        }
        writeSvgs(results);
        print(results, out);
        for (HerdResult r : results) {
            if (r.ok() == 0) {
                err.println("bench herd: no session succeeded (retry " + r.plan().retry().cliName() + ", circuit breaking "
                        + OnOff.text(r.plan().circuitBreaking()) + ")");
                err.flush();
                return 1;
            }
        }
        return 0;
    }

    private void print(List<HerdResult> results, PrintWriter out) {
        if (json) {
            Object value;
            if (matrix) {
                List<Object> runs = new ArrayList<>();
                for (HerdResult r : results) {
                    runs.add(HerdReport.json(r));
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("runs", runs);
                value = m;
            } else {
                value = HerdReport.json(results.get(0));
            }
            out.println(Json.write(value));
            out.flush();
            return;
        }
        for (HerdResult r : results) {
            HerdReport.printSeconds(r, out);
            out.println();
            HerdReport.printSummary(r, out);
            out.println();
        }
        if (matrix) {
            HerdReport.printMatrix(results, out);
        }
    }

    private void writeSvgs(List<HerdResult> results) throws IOException {
        if (svg == null) {
            return;
        }
        for (HerdResult r : results) {
            Path file = svg;
            if (matrix) {
                String name = svg.getFileName().toString().replaceFirst("\\.svg$", "");
                file = svg.resolveSibling(name + "-" + r.plan().retry().cliName() + "-cb-"
                        + OnOff.text(r.plan().circuitBreaking()) + ".svg");
            }
            Files.writeString(file, HerdSvg.chart(r));
        }
    }

    /** Checks the options together; anything wrong is a usage error (exit 2) naming the option. */
    HerdPlan plan() {
        if (backends < 2 || backends > 64) {
            throw usage("--backends must be 2..64 (one is killed), not " + backends);
        }
        if (clients < 1 || clients > 5000) {
            throw usage("--clients must be 1..5000, not " + clients);
        }
        if (duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw usage("--duration must be more than 0 and at most 10m, not " + duration.toMillis() + " ms");
        }
        if (killAfter.compareTo(duration) >= 0) {
            throw usage("--kill-after must be before the end of --duration");
        }
        if (size < 1 || size > 1024 * 1024) {
            throw usage("--size must be 1..1048576 bytes, not " + size);
        }
        if (hold.compareTo(Duration.ofMinutes(1)) > 0) {
            throw usage("--hold must be at most 1m");
        }
        if (timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw usage("--timeout must be more than 0 and at most 1m");
        }
        boolean breaking;
        try {
            breaking = OnOff.parse("--circuit-breaking", circuitBreaking);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        int n = workers != null ? workers : Runtime.getRuntime().availableProcessors();
        if (n < 1 || n > 256) {
            throw usage("--workers must be 1..256, not " + n);
        }
        if (lbRetries < 0 || lbRetries > 16) {
            throw usage("--lb-retries must be 0..16, not " + lbRetries);
        }
        return new HerdPlan(backends, clients, duration.toNanos(), killAfter.toNanos(), retry, breaking, size,
                hold.toNanos(), timeout.toNanos(), n, lbRetries);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
