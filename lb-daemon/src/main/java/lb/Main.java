package lb;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.LoggerFactory;

import lb.protocol.Version;
import lb.config.Config;
import lb.config.ConfigError;
import lb.config.ConfigException;
import lb.config.ConfigLoader;
import lb.config.DaemonConfig;
import lb.config.Durations;
import lb.config.KeyLines;
import lb.config.QuickConfig;
import lb.demo.DemoBackend;
import lb.systemd.SystemdNotifier;
import lb.systemd.Watchdog;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Main thread only. The {@code lb-daemon} command line: reads or builds the configuration, starts
 * the {@link Daemon}, and turns SIGTERM/SIGINT into a graceful shutdown that exits 0.
 */
@Command(name = "lb-daemon", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Layer 4 TCP load balancer. Run with a config file, with --listen/--backends, or --demo.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped normally (also after SIGTERM)", "1:invalid configuration or start-up failure",
            "2:usage error", "70:one of the daemon's threads died unexpectedly (systemd restarts it)"})
public final class Main implements Callable<Integer> {

    private static final int DEMO_BACKENDS = 3;
    /** Exit status when one of the daemon's threads died (EX_SOFTWARE). */
    static final int THREAD_DIED = 70;
    private static final String DEMO_LISTEN = "127.0.0.1:8080";

    @Option(names = "--config", paramLabel = "FILE", description = "TOML configuration file.")
    Path configFile;

    @Option(names = "--check-config", description = "Validate the configuration, print every problem, exit 0 if valid, 1 if not.")
    boolean checkOnly;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Listen here (without a config file; with --demo: default "
            + DEMO_LISTEN + ").")
    String listen;

    @Option(names = "--backends", paramLabel = "HOST:PORT,...", description = "Balance over these backends (with --listen).")
    String backends;

    @Option(names = "--algorithm", paramLabel = "NAME", defaultValue = "round_robin",
            description = "Balancing algorithm with --listen/--backends (default: ${DEFAULT-VALUE}).")
    String algorithm;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "0",
            description = "Event loops; 0 = the config's value, or one per core.")
    int workers;

    @Option(names = "--no-access-log", description = "Do not log a line per closed session.")
    boolean noAccessLog;

    @Option(names = "--no-stats", description = "Do not count traffic or aggregate session figures (overrides "
            + "[daemon] stats; for measuring what stats cost).")
    boolean noStats;

    @Option(names = "--admin-socket", paramLabel = "PATH",
            description = "Admin Unix socket (overrides [daemon] admin_socket; \"\" = none). Without a config file "
                    + "there is none unless this is given.")
    String adminSocket;

    @Option(names = "--demo", description = "Start three built-in loopback backends and balance over them.")
    boolean demo;

    @Option(names = "--warmup", paramLabel = "DURATION", description = "Synthetic loopback traffic through a throwaway "
            + "copy of the data path before the listeners open, so that clients meet compiled code (overrides "
            + "[daemon] warmup, default 2s; \"0s\" = none).")
    String warmup;

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;

    public static void main(String[] args) {
        if (System.getenv("JOURNAL_STREAM") != null) {
            // Under systemd: journald stamps each line itself, and files it by the priority prefix.
            System.setProperty("org.slf4j.simpleLogger.showDateTime", "false");
            System.setErr(JournalStream.wrapIfJournal(System.err));
        }
        int code = new CommandLine(new Main()).execute(args);
        System.exit(code);
    }

    @Override
    public Integer call() {
        String usageProblem = usageProblem();
        if (usageProblem != null) {
            err.println("lb-daemon: " + usageProblem + " (see --help)");
            return 2;
        }
        List<DemoBackend> demoBackends = new ArrayList<>();
        try {
            Config config;
            try {
                if (demo) {
                    demoBackends = startDemoBackends();
                }
                config = withOverrides(buildConfig(demoBackends));
            } catch (ConfigException e) {
                KeyLines lines = keyLines();
                for (ConfigError error : e.errors()) {
                    int line = lines != null && isKeyPath(error.keyPath()) ? lines.lineOf(error.keyPath()) : 0;
                    err.println("lb-daemon: " + error + (line > 0 ? " (line " + line + ")" : ""));
                }
                return 1;
            }
            List<String> problems = new ArrayList<>(HostChecks.problems(config));
            String memory = MemoryBudget.problem(config);
            if (memory != null) {
                problems.add(memory);
            }
            if (!problems.isEmpty()) {
                problems.forEach(problem -> err.println("lb-daemon: " + problem));
                return 1;
            }
            if (checkOnly) {
                out.println("configuration OK: " + config.listeners().size() + " listener(s), " + config.pools().size()
                        + " pool(s)" + config.source().map(p -> " in " + p).orElse(""));
                return 0;
            }
            return run(config, demoBackends);
        } catch (IOException e) {
            err.println("lb-daemon: " + e.getMessage());
            return 1;
        } finally {
            for (DemoBackend backend : demoBackends) {
                backend.close();
            }
        }
    }

    private String usageProblem() {
        int modes = (configFile != null ? 1 : 0) + (backends != null ? 1 : 0) + (demo ? 1 : 0);
        if (modes == 0) {
            return "give --config FILE, --listen with --backends, or --demo";
        }
        if (modes > 1) {
            return "--config, --backends and --demo exclude each other";
        }
        if (backends != null && listen == null) {
            return "--backends needs --listen";
        }
        if (configFile != null && listen != null) {
            return "--listen goes with --backends or --demo, not with --config";
        }
        if (workers < 0) {
            return "--workers must be 0 or more";
        }
        if (warmup != null) {
            try {
                Duration d = Durations.parse(warmup);
                if (d.compareTo(DaemonConfig.MAX_WARMUP) > 0) {
                    return "--warmup " + warmup + " is out of range (allowed: 0s..60s)";
                }
            } catch (IllegalArgumentException e) {
                return "--warmup: " + e.getMessage();
            }
        }
        return null;
    }

    /** Where the config file's keys are, to point at a problem's line; null without a readable file. */
    private KeyLines keyLines() {
        if (configFile == null) {
            return null;
        }
        try {
            return KeyLines.of(Files.readString(configFile)); // the loader already read it: regular, small, UTF-8
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A key path such as {@code listener[0].bind}, not {@code line 3}, {@code toml}, a file or a flag. */
    private boolean isKeyPath(String keyPath) {
        return !keyPath.startsWith("line ") && !keyPath.equals("toml") && !keyPath.startsWith("--")
                && !keyPath.equals(String.valueOf(configFile));
    }

    private Config buildConfig(List<DemoBackend> demoBackends) throws ConfigException {
        if (configFile != null) {
            return ConfigLoader.load(configFile);
        }
        if (demo) {
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (DemoBackend backend : demoBackends) {
                addresses.add(backend.address());
            }
            return QuickConfig.demo(listen != null ? listen : DEMO_LISTEN, addresses, workers);
        }
        return QuickConfig.fromFlags(listen, backends, algorithm, workers, !noAccessLog);
    }

    private Config withOverrides(Config config) {
        DaemonConfig d = config.daemon();
        int effectiveWorkers = workers > 0 ? workers : d.workers();
        boolean accessLog = d.accessLog() && !noAccessLog;
        boolean stats = d.stats() && !noStats;
        Path socket = adminSocket == null ? d.adminSocket() : adminSocket.isEmpty() ? null : Path.of(adminSocket);
        Duration warm = warmup == null ? d.warmup() : Durations.parse(warmup); // checked in usageProblem
        if (effectiveWorkers == d.workers() && accessLog == d.accessLog() && stats == d.stats()
                && Objects.equals(socket, d.adminSocket()) && warm.equals(d.warmup())) {
            return config;
        }
        DaemonConfig changed = new DaemonConfig(effectiveWorkers, d.shutdownGrace(), accessLog, d.bufferSize(),
                d.bufferPoolMax(), socket, d.adminSocketGroup(), d.stateFile(), stats, d.accessLogFile(),
                d.accessLogFormat(), d.drainDelay(), warm);
        return new Config(config.source(), changed, config.listeners(), config.pools(), config.metrics());
    }

    private List<DemoBackend> startDemoBackends() throws IOException {
        List<DemoBackend> started = new ArrayList<>();
        try {
            for (int i = 1; i <= DEMO_BACKENDS; i++) {
                started.add(DemoBackend.start("demo-" + i, new InetSocketAddress("127.0.0.1", 0)));
            }
        } catch (IOException e) {
            for (DemoBackend backend : started) {
                backend.close();
            }
            throw new IOException("cannot start the demo backends: " + e.getMessage(), e);
        }
        return started;
    }

    private int run(Config config, List<DemoBackend> demoBackends) throws IOException {
        // No half-alive daemon (DESIGN.md rule 6): a thread that dies of an unexpected throwable
        // (an event loop, the health, stats, admin or control thread) ends the process at once,
        // non-zero, with one line, so that systemd restarts it. Each thread catches what it can
        // recover from itself (a session's failure, a bad admin request, a failed probe) first.
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            err.println("lb-daemon: thread " + thread.getName() + " died (" + e + "); exiting with status "
                    + THREAD_DIED + " so that the service manager restarts lb-daemon");
            err.flush();
            Runtime.getRuntime().halt(THREAD_DIED);
        });
        CountDownLatch stopRequested = new CountDownLatch(1);
        Signals.onTerminate(stopRequested::countDown);
        // Handled before the daemon says it is ready (the JVM's default for SIGHUP is to exit): a
        // reload asked for during start-up runs once the daemon is up.
        StartupReload reload = new StartupReload();
        Signals.onReload(reload::onSignal);
        // Before start too: the JVM's default for SIGUSR1 is to exit. Until the daemon is up there is
        // nothing to reopen (the file is opened afresh at start).
        AtomicReference<Daemon> running = new AtomicReference<>();
        Signals.onReopen(() -> {
            Daemon up = running.get();
            return up != null && up.reopenAccessLog();
        });
        if (!config.daemon().warmup().isZero()) {
            Warmup.log(Warmup.run(config, config.daemon().warmup(), () -> stopRequested.getCount() == 0));
        }
        Daemon daemon = Daemon.start(config, this::withOverrides);
        running.set(daemon);
        reload.started(daemon);
        AtomicReference<Long> successor = new AtomicReference<>();
        daemon.enableUpgrades(this::withOverrides, newPid -> {
            successor.set(newPid);
            stopRequested.countDown();
        });
        long upgradedFrom = daemon.completeUpgrade();
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(System.getenv());
        if (upgradedFrom != 0) {
            // NotifyAccess=all: this process is the unit's main one from now on.
            notifier.send("MAINPID=" + ProcessHandle.current().pid(), "READY=1",
                    "STATUS=took over from pid " + upgradedFrom + "; " + daemon.statusLine());
        } else {
            notifier.send("READY=1", "STATUS=" + daemon.statusLine());
        }
        Watchdog watchdog = Watchdog.fromEnvironment(System.getenv(), notifier, daemon::stuck);
        watchdog.start();
        Thread statusLines = statusLines(notifier, daemon, stopRequested);
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        statusLines.interrupt();
        Duration grace = config.daemon().shutdownGrace();
        if (successor.get() != null) {
            // The new process is the unit's now: no STOPPING=1, no more pings, and its /ready alone answers.
            watchdog.close();
            daemon.closeMetricsForSuccessor();
        } else {
            notifier.send("STOPPING=1", "STATUS=draining: " + daemon.statusLine());
            daemon.startDraining();
            Duration drainDelay = config.daemon().drainDelay();
            if (!drainDelay.isZero()) {
                LoggerFactory.getLogger(Main.class).info("draining: /ready answers 503; still accepting for {} ms "
                        + "(drain_delay)", drainDelay.toMillis());
                sleepQuietly(drainDelay);
            }
        }
        LoggerFactory.getLogger(Main.class).info("stopping{}: no new connections; {} open session(s) get up to {} ms to "
                + "finish", successor.get() != null ? " (upgraded: pid " + successor.get() + " took over)" : "",
                daemon.activeSessions(), grace.toMillis());
        daemon.shutdown(grace);
        watchdog.close();
        notifier.close();
        return 0;
    }

    /** Under systemd (NOTIFY_SOCKET): the unit's status line, every 10 s until the stop begins. */
    private static Thread statusLines(SystemdNotifier notifier, Daemon daemon, CountDownLatch stop) {
        Thread t = new Thread(() -> {
            try {
                while (!stop.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    notifier.status(daemon.statusLine());
                }
            } catch (InterruptedException e) {
                // the stop began
            }
        }, "lb-notify");
        t.setDaemon(true);
        if (notifier.enabled()) {
            t.start();
        }
        return t;
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void printDemoHelp(Daemon daemon, List<DemoBackend> demoBackends) {
        InetSocketAddress address = daemon.listenerAddress("demo");
        String target = address.getAddress().getHostAddress() + ":" + address.getPort();
        out.println();
        out.println("lb demo: listening on " + target + ", balancing round-robin over " + demoBackends.size()
                + " built-in backends:");
        for (DemoBackend backend : demoBackends) {
            out.println("  " + backend.name() + "  127.0.0.1:" + backend.address().getPort());
        }
        out.println();
        out.println("Try:   for i in 1 2 3 4 5 6; do curl -s http://" + target + "/; done");
        out.println("  or:  nc " + address.getAddress().getHostAddress() + " " + address.getPort()
                + "   (type a line, see which backend answers)");
        out.println("Stop with Ctrl-C.");
        out.println();
        out.flush();
    }

    /** Prints the jar's version. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"lb-daemon " + Version.text(), "Java " + Runtime.version()};
        }
    }


    /** Signal thread and main thread. SIGHUP before the daemon is up is remembered, not lost. */
    private static final class StartupReload {
        private Daemon daemon; // guarded by this
        private boolean asked; // guarded by this

        void onSignal() {
            Daemon running;
            synchronized (this) {
                running = daemon;
                asked |= running == null;
            }
            if (running != null) {
                running.reloadOnSignal(); // in order with admin commands, on the control thread; logged there
            }
        }

        void started(Daemon started) {
            boolean reloadNow;
            synchronized (this) {
                daemon = started;
                reloadNow = asked;
            }
            if (reloadNow) {
                started.reloadOnSignal();
            }
        }
    }
}
