package lb.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.config.Config;
import lb.log.RateLimitedLog;
import lb.pool.BackendPool;

/**
 * Start-up thread, then the control thread. The state file as a journal of runtime changes: read
 * and laid over the config at start, written after every change the control thread applies.
 */
public final class StateJournal {

    private static final Logger LOG = LoggerFactory.getLogger(StateJournal.class);
    // A full disk or a lost directory fails every change a script makes: a line per interval.
    private static final RateLimitedLog WRITE_FAILURES = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));

    private StateJournal() {
    }

    /**
     * The runtime changes journaled in the state file, laid over {@code config}. A state file that
     * cannot be read is set aside (renamed *.bad) and the daemon starts from the config file alone:
     * a damaged journal must not keep a load balancer down.
     */
    public static RuntimeState.Overlay read(Config config) {
        Path file = config.daemon().stateFile();
        List<RuntimeChange> changes = List.of();
        if (file != null) {
            try {
                changes = StateFile.read(file);
            } catch (IOException e) {
                Path aside = file.resolveSibling(file.getFileName() + ".bad");
                LOG.error("cannot use state file {} ({}); starting from the config file alone, the state file is "
                        + "moved to {}", file, e.getMessage(), aside);
                try {
                    Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException moveFailed) {
                    LOG.error("cannot move {} aside: {}", file, moveFailed.toString());
                }
            }
        }
        RuntimeState.Overlay overlay = RuntimeState.applyTo(config, changes);
        for (RuntimeChange applied : overlay.applied()) {
            LOG.info("runtime change from {} applied: {}", file, applied);
        }
        for (String overridden : overlay.overridden()) {
            LOG.warn(overridden);
        }
        return overlay;
    }

    /**
     * Journals how {@code pools} differ from {@code config} when there is a state file. Returns null,
     * or why it could not (logged, at most once per interval; the change itself stands, and the
     * caller's reply carries the reason every time).
     */
    public static String save(Config config, Map<String, BackendPool> pools) {
        Path file = config.daemon().stateFile();
        if (file == null) {
            return null;
        }
        try {
            StateFile.write(file, RuntimeState.capture(config, pools));
            return null;
        } catch (IOException e) {
            String problem = "cannot write state file " + file + " (" + e + "): runtime changes will not survive a "
                    + "restart";
            WRITE_FAILURES.error(System.nanoTime(), problem);
            return problem;
        }
    }
}
