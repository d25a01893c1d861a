package lb;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.log.RateLimitedLog;

import sun.misc.Signal;

/**
 * Any thread. Turns SIGTERM and SIGINT into a callback instead of the JVM's default exit.
 *
 * <p>Why sun.misc.Signal (jdk.unsupported): with only a shutdown hook the JVM exits 143 after
 * SIGTERM, and systemd would call every normal stop a failure; handling the signal ourselves lets
 * the daemon drain its sessions and exit 0. SIGHUP reloads the config and SIGUSR1 reopens a file
 * access log (the JVM's default for either would be to exit).
 */
final class Signals {

    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);
    // Something that sends SIGHUP in a loop: a line per interval here (each reload's audit line
    // still records it).
    private static final RateLimitedLog RELOAD_SIGNALS = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private static final RateLimitedLog REOPEN_SIGNALS = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));

    private Signals() {
    }

    static void onTerminate(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    LOG.info("SIG{} received", signal.getName());
                    action.run();
                });
            } catch (IllegalArgumentException e) {
                // The JVM reserves the signal (for example SIGINT under -Xrs): keep its default.
                LOG.warn("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
    }

    static void onReload(Runnable action) {
        try {
            Signal.handle(new Signal("HUP"), signal -> {
                RELOAD_SIGNALS.info(System.nanoTime(), "SIGHUP received: reloading");
                action.run();
            });
        } catch (IllegalArgumentException e) {
            LOG.warn("cannot handle SIGHUP: {}", e.getMessage());
        }
    }

    /**
     * SIGUSR1: {@code action} says whether there was a file to reopen (logrotate's {@code postrotate}
     * sends it whatever the config, so without a file the signal is only noted).
     */
    static void onReopen(BooleanSupplier action) {
        try {
            Signal.handle(new Signal("USR1"), signal -> {
                boolean reopened = action.getAsBoolean();
                REOPEN_SIGNALS.info(System.nanoTime(), reopened ? "SIGUSR1 received: reopening the access log"
                        : "SIGUSR1 received: the access log is not a file, nothing to reopen");
            });
        } catch (IllegalArgumentException e) {
            LOG.warn("cannot handle SIGUSR1: {}", e.getMessage());
        }
    }
}
