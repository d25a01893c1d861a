package lb.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Control thread. The daemon process an upgrade starts: this process's own command line (the same
 * java, JVM options, jar or class path, and arguments, so the installed jar as it is now on disk),
 * its output going where this one's goes (the journal), and two environment variables that make it
 * a successor: {@code LB_UPGRADE_FROM} (this pid) and {@code LB_UPGRADE_READY} (a file it writes its pid to
 * once it is ready: listeners bound in their SO_REUSEPORT groups, loops running, the admin socket
 * moved over this one's path).
 */
final class Successor {

    private static final String FROM_ENV = UpgradeHooks.FROM_ENV;
    private static final String READY_ENV = UpgradeHooks.READY_ENV;

    private final Process process;
    private final Path readyFile;
    private final UpgradeHooks hooks;

    private Successor(Process process, Path readyFile, UpgradeHooks hooks) {
        this.process = process;
        this.readyFile = readyFile;
        this.hooks = hooks;
    }

    /** Starts the new process; a stale ready file is removed first. */
    static Successor start(UpgradeHooks hooks) throws IOException {
        Path readyFile = hooks.readyFile();
        ProcessHandle.Info info = ProcessHandle.current().info();
        String command = info.command().orElseThrow(() -> new IOException("cannot tell this process's command"));
        List<String> argv = new ArrayList<>();
        argv.add(command);
        argv.addAll(List.of(info.arguments().orElseThrow(() -> new IOException("cannot tell this process's arguments"))));
        Files.deleteIfExists(readyFile);
        ProcessBuilder builder = new ProcessBuilder(argv).inheritIO();
        builder.environment().put(FROM_ENV, String.valueOf(ProcessHandle.current().pid()));
        builder.environment().put(READY_ENV, readyFile.toString());
        // systemd's watchdog names this pid; the new process becomes the main one and watches itself.
        builder.environment().remove("WATCHDOG_PID");
        return new Successor(builder.start(), readyFile, hooks);
    }

    long pid() {
        return process.pid();
    }

    /** True once it wrote its pid to the ready file. */
    boolean ready() {
        try {
            return Files.exists(readyFile) && Files.readString(readyFile, StandardCharsets.US_ASCII).trim()
                    .equals(String.valueOf(process.pid()));
        } catch (IOException e) {
            return false; // being written: the next poll reads it whole (it is moved into place)
        }
    }

    /** Its exit status, or null while it runs. */
    Integer exitStatus() {
        return process.isAlive() ? null : process.exitValue();
    }

    /**
     * It failed or took too long: stopped (SIGTERM, then SIGKILL after 5 s); its ready file and
     * its temporary admin socket (left behind if it died without closing it) removed.
     */
    void abandon() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        forget();
        try {
            Files.deleteIfExists(hooks.successorSocket(process.pid()));
        } catch (IOException ignored) {
            // a stale socket file in the runtime directory: harmless, and replaced by a later bind
        }
    }

    /** The ready file is no longer needed. */
    void forget() {
        try {
            Files.deleteIfExists(readyFile);
        } catch (IOException ignored) {
            // a leftover file in the runtime directory, removed by the next upgrade
        }
    }
}
