package lb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.admin.AdminServer;
import lb.config.Config;
import lb.config.ConfigException;
import lb.config.ConfigLoader;
import lb.control.RunningState;
import lb.control.UpgradeHooks;
import lb.listen.Listener;

/**
 * Any thread (the control thread asks it during an upgrade; its fields never change). The daemon's
 * side of {@code lb-cli upgrade}: in the old process, what a new one would refuse to start for,
 * where its files go, and the hand-over; in the new process, {@link #complete} once it is up.
 */
final class InPlaceUpgrade implements UpgradeHooks {

    private static final Logger LOG = LoggerFactory.getLogger(InPlaceUpgrade.class);

    private final RunningState state;
    private final Path socket;
    private final UnaryOperator<Config> overrides;
    private final LongConsumer handOver;

    InPlaceUpgrade(RunningState state, Path socket, UnaryOperator<Config> overrides, LongConsumer handOver) {
        this.state = state;
        this.socket = socket;
        this.overrides = overrides;
        this.handOver = handOver;
    }

    /**
     * Where a new process with {@code pid} binds its admin socket until it moves it over {@code socket}:
     * beside it, named after it ("admin.sock.upgrade-4242"), or, where that would not fit in a Unix
     * socket address (107 bytes; admin_socket may have 100 bytes), ".u" and the pid in base 36
     * in the same directory (a rename does not cross directories): at most 98 + 1 + 2 + 5 bytes.
     */
    static Path successorSocket(Path socket, long pid) {
        Path beside = socket.resolveSibling(socket.getFileName() + ".upgrade-" + pid);
        if (beside.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH_BYTES) {
            return beside;
        }
        return socket.resolveSibling(".u" + Long.toString(pid, 36));
    }

    /** sun_path holds 108 bytes with the terminating NUL. */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    @Override
    public List<String> startProblems() {
        Config current = state.config();
        if (current.source().isEmpty()) {
            return List.of(); // flags or --demo: the same flags again
        }
        Config next;
        try {
            next = overrides.apply(ConfigLoader.load(current.source().get()));
        } catch (ConfigException e) {
            return e.errors().stream().map(String::valueOf).toList();
        }
        List<String> problems = new ArrayList<>(HostChecks.problems(next));
        for (Listener l : state.listeners().values()) {
            if (l.config().bind().getPort() == 0) {
                problems.add("listener " + l.name() + " binds port 0 (any free port): a new process would get "
                        + "another one, not join this one's; give it a fixed port to upgrade in place");
            }
        }
        String memory = MemoryBudget.problem(next);
        if (memory != null) {
            problems.add(memory);
        }
        return problems;
    }

    @Override
    public Path readyFile() {
        return socket.resolveSibling(socket.getFileName() + ".upgrade.ready");
    }

    @Override
    public Path successorSocket(long pid) {
        return successorSocket(socket, pid);
    }

    @Override
    public void handOver(long newPid) {
        handOver.accept(newPid);
    }

    @Override
    public long graceMs() {
        return state.config().daemon().shutdownGrace().toMillis();
    }

    /**
     * Main thread, in an upgrade's new process once it is up: moves its admin socket over the old
     * process's path ({@code socket}) and writes its pid to the ready file, which tells the old
     * process to hand over. Returns the old pid, or 0 when this is not a new process of an upgrade.
     */
    static long complete(Path socket, AdminServer adminServer) throws IOException {
        String from = System.getenv(UpgradeHooks.FROM_ENV);
        String readyFile = System.getenv(UpgradeHooks.READY_ENV);
        if (from == null || readyFile == null) {
            return 0;
        }
        String fault = System.getProperty("lb.test.upgradeFault", "");
        if (fault.equals("crash")) {
            Runtime.getRuntime().halt(3); // tests: a new process that dies before it is ready
        }
        if (fault.equals("hang")) {
            LOG.warn("upgrade: lb.test.upgradeFault=hang: never saying ready");
            return 0;
        }
        if (adminServer != null && socket != null) {
            adminServer.moveTo(socket);
        }
        Path ready = Path.of(readyFile);
        Path written = ready.resolveSibling(ready.getFileName() + "." + ProcessHandle.current().pid());
        Files.writeString(written, String.valueOf(ProcessHandle.current().pid()));
        Files.move(written, ready, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LOG.info("upgrade: taking over from pid {}", from);
        return Long.parseLong(from.trim());
    }
}
