package lb.bench.compare;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import lb.bench.proxy.ChildProcess;
import lb.bench.proxy.LbLauncher;
import lb.bench.proxy.LbToml;
import lb.bench.proxy.StopList;

/**
 * Main thread only. Starts one proxy of a {@link ProxyKind} in front of the backends, with the
 * configuration written into the scratch directory, and returns once it accepts connections. The
 * process is tracked in the {@link StopList} from the moment it exists.
 */
final class ProxyStarter {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final long POLL_NS = 10_000_000L;

    private final List<InetSocketAddress> backends;
    private final int threads;
    private final LbLauncher lb;
    private final Path dir;
    private final StopList stops;

    /** @param lb how to start lb; null when lb is not among the proxies */
    ProxyStarter(List<InetSocketAddress> backends, int threads, LbLauncher lb, Path dir, StopList stops) {
        this.backends = backends;
        this.threads = threads;
        this.lb = lb;
        this.dir = dir;
        this.stops = stops;
    }

    /** A started proxy and where it listens. */
    record Running(ChildProcess process, InetSocketAddress listener) {
    }

    Running start(ProxyKind kind) throws IOException, InterruptedException {
        if (kind == ProxyKind.LB) {
            // lb's default retries (2), like HAProxy's and nginx's defaults, which also retry a failed connect.
            LbLauncher.Started started = lb.start(LbToml.roundRobin("compare", backends, threads, 2, false), "compare",
                    dir, stops);
            return new Running(started.process(), started.listener());
        }
        Path executable = kind.executable().orElseThrow(() -> new IOException(kind.cliName() + " is not installed"));
        // HAProxy and nginx need the port in their configuration: take a free one from the kernel.
        // Another process could take it before the proxy binds; the start then fails and says so.
        int port = freePort();
        List<String> command;
        if (kind == ProxyKind.HAPROXY) {
            Path cfg = dir.resolve("haproxy-" + port + ".cfg");
            Files.writeString(cfg, ProxyConfigs.haproxy(port, backends, threads));
            command = List.of(executable.toString(), "-db", "-f", cfg.toString());
        } else {
            Path cfg = dir.resolve("nginx-" + port + ".conf");
            Files.writeString(cfg, ProxyConfigs.nginxStream(port, backends, threads, dir));
            // -e stderr: the error log before the configuration is read; Debian's default is not writable by all.
            command = List.of(executable.toString(), "-e", "stderr", "-p", dir.toString(), "-c", cfg.toString());
        }
        ChildProcess process = stops.track(ChildProcess.start(kind.cliName(), command, dir));
        InetSocketAddress listener = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        awaitAccepting(process, listener);
        return new Running(process, listener);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Polls with connects until the proxy accepts one; fails if it exits or the deadline passes. */
    private static void awaitAccepting(ChildProcess process, InetSocketAddress listener) throws IOException {
        long deadlineNs = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(listener, 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IOException(process.name() + " exited at start-up" + process.recentOutput());
                }
                if (System.nanoTime() - deadlineNs > 0) {
                    throw new IOException(process.name() + " did not accept on " + listener + " within "
                            + START_TIMEOUT.toSeconds() + " s" + process.recentOutput());
                }
                LockSupport.parkNanos(POLL_NS);
            }
        }
    }
}
