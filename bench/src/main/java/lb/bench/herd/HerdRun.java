package lb.bench.herd;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import lb.bench.backend.BackendType;
import lb.bench.backend.TestBackend;
import lb.bench.load.ErrorKind;
import lb.bench.proxy.LbLauncher;
import lb.bench.proxy.LbToml;
import lb.bench.proxy.StopList;

/**
 * Main thread only. One herd run: starts K echo backends and lb over them, lets M clients loose,
 * kills backend 1 at {@code killAfter} (stops listening, resets its connections), samples every
 * backend's accepted count once a second, and stops everything it started (through the
 * {@link StopList}, so a Ctrl-C stops it too).
 */
final class HerdRun {

    private static final long TICK_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long QUIET_NS = TimeUnit.SECONDS.toNanos(1);
    /** How long past the end a client may take to finish its session before we stop waiting. */
    private static final long STOP_GRACE_NS = TimeUnit.SECONDS.toNanos(2);

    private final HerdPlan plan;
    private final LbLauncher launcher;
    private final Path dir;
    private final StopList stops;
    private final PrintWriter progress;

    HerdRun(HerdPlan plan, LbLauncher launcher, Path dir, StopList stops, PrintWriter progress) {
        this.plan = plan;
        this.launcher = launcher;
        this.dir = dir;
        this.stops = stops;
        this.progress = progress;
    }

    HerdResult run() throws IOException, InterruptedException {
        List<TestBackend> backends = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (int i = 0; i < plan.backends(); i++) {
            // One TestBackend per port, so that one can be killed alone.
            TestBackend backend = stops.track(TestBackend.start(BackendType.ECHO, InetAddress.getLoopbackAddress(),
                    List.of(0)));
            backends.add(backend);
            addresses.add(backend.addresses().get(0));
        }
        String toml = LbToml.roundRobin("herd", addresses, plan.workers(), plan.lbRetries(), plan.circuitBreaking());
        LbLauncher.Started lb = launcher.start(toml, "herd", dir, stops);
        List<HerdClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try {
            long startNs = System.nanoTime();
            long endNs = startNs + plan.durationNs();
            HerdCounters counters = new HerdCounters(startNs, plan.durationNs());
            for (int i = 0; i < plan.clients(); i++) {
                HerdClient client = new HerdClient(plan, lb.listener(), counters, endNs, 0x5eed + i);
                Thread thread = new Thread(client, "herd-client-" + i);
                thread.setDaemon(true); // a client stuck in a syscall must not keep the JVM alive
                clients.add(client);
                threads.add(thread);
            }
            long[] lastAccepted = accepted(backends);
            for (Thread thread : threads) {
                thread.start();
            }
            List<HerdSecond> seconds = new ArrayList<>();
            long killNs = sample(backends, counters, startNs, endNs, lastAccepted, seconds);
            stopClients(clients, threads, endNs);
            return result(counters, seconds, startNs, endNs, killNs);
        } finally {
            for (HerdClient client : clients) {
                client.stop();
            }
            stops.stop(lb.process());
            for (TestBackend backend : backends) {
                stops.stop(backend);
            }
        }
    }

    /** The main loop: kill on time, a row per second; returns when backend 1 was killed. */
    private long sample(List<TestBackend> backends, HerdCounters counters, long startNs, long endNs,
                        long[] lastAccepted, List<HerdSecond> seconds) {
        long killAtNs = startNs + plan.killAfterNs();
        long killNs = -1;
        long lastRowNs = startNs;
        long lastOk = 0;
        long lastErrors = 0;
        long nextTickNs = startNs + TICK_NS;
        while (true) {
            long nowNs = System.nanoTime();
            if (killNs < 0 && nowNs - killAtNs >= 0) {
                backends.get(0).abort();
                killNs = System.nanoTime();
                progress.printf("[%5.1fs] killed b1 (%s)%n", (killNs - startNs) / 1e9, backends.get(0).addresses().get(0));
                progress.flush();
                continue;
            }
            long rowAtNs = Math.min(nextTickNs, endNs);
            if (nowNs - rowAtNs >= 0) {
                long[] now = accepted(backends);
                long[] delta = new long[now.length];
                for (int i = 0; i < now.length; i++) {
                    delta[i] = now[i] - lastAccepted[i];
                }
                System.arraycopy(now, 0, lastAccepted, 0, now.length);
                long ok = counters.ok();
                long errors = counters.errors();
                HerdSecond row = new HerdSecond((nowNs - startNs) / 1e9, (nowNs - lastRowNs) / 1e9, delta, ok - lastOk,
                        errors - lastErrors);
                seconds.add(row);
                progress.printf("[%5.1fs] sessions/s %,.0f  errors %d%n", row.endS(), row.ok() / row.lengthS(),
                        row.errors());
                progress.flush();
                lastOk = ok;
                lastErrors = errors;
                lastRowNs = nowNs;
                if (rowAtNs == endNs) {
                    return killNs < 0 ? endNs : killNs;
                }
                nextTickNs += TICK_NS;
                continue;
            }
            long nextNs = killNs < 0 ? Math.min(rowAtNs, killAtNs) : rowAtNs;
            LockSupport.parkNanos(nextNs - nowNs); // pacing the samples, not waiting for a condition
        }
    }

    private static long[] accepted(List<TestBackend> backends) {
        long[] accepted = new long[backends.size()];
        for (int i = 0; i < accepted.length; i++) {
            accepted[i] = backends.get(i).stats().accepted();
        }
        return accepted;
    }

    private void stopClients(List<HerdClient> clients, List<Thread> threads, long endNs) throws InterruptedException {
        long giveUpNs = endNs + plan.timeoutNs() + STOP_GRACE_NS;
        for (HerdClient client : clients) {
            client.stop();
        }
        for (Thread thread : threads) {
            long leftNs = giveUpNs - System.nanoTime();
            if (leftNs > 0) {
                thread.join(Math.max(1, leftNs / 1_000_000L));
            }
            if (thread.isAlive()) {
                progress.println("a herd client did not stop in time; reporting without it");
                break;
            }
        }
    }

    private HerdResult result(HerdCounters counters, List<HerdSecond> seconds, long startNs, long endNs, long killNs) {
        Map<ErrorKind, Long> byKind = new EnumMap<>(ErrorKind.class);
        for (ErrorKind kind : ErrorKind.values()) {
            byKind.put(kind, counters.errors(kind));
        }
        long recoveryNs = counters.recoveryNs(killNs, endNs, QUIET_NS);
        double killAtS = (killNs - startNs) / 1e9;
        double survivorMax = 0;
        double beforeSessions = 0;
        double beforeSeconds = 0;
        double allSessions = 0;
        int rowsBeforeKill = 0;
        for (HerdSecond row : seconds) {
            if (row.endS() <= killAtS) {
                rowsBeforeKill++;
            }
        }
        for (int r = 0; r < seconds.size(); r++) {
            HerdSecond row = seconds.get(r);
            // The first second runs on a cold JIT in lb and here: leave it out of the baseline when
            // there is another whole second before the kill.
            boolean baseline = row.endS() <= killAtS && (r > 0 || rowsBeforeKill == 1);
            for (int i = 0; i < plan.backends(); i++) {
                allSessions += row.sessions()[i];
                if (baseline) {
                    beforeSessions += row.sessions()[i];
                }
                if (i > 0 && row.startS() >= killAtS) {
                    survivorMax = Math.max(survivorMax, row.rate(i));
                }
            }
            if (baseline) {
                beforeSeconds += row.lengthS();
            }
        }
        // Killed within the first second: no whole row before it, so the mean over the run stands in.
        double mean = beforeSeconds > 0 ? beforeSessions / plan.backends() / beforeSeconds
                : allSessions / plan.backends() / (plan.durationNs() / 1e9);
        return new HerdResult(plan, List.copyOf(seconds), killAtS, counters.ok(), counters.errors(), byKind,
                counters.givenUp(), recoveryNs < 0 ? null : recoveryNs / 1e9, survivorMax, mean);
    }
}
