package lb.control;

import java.nio.file.Path;
import java.util.List;

/**
 * Any thread. What an upgrade needs from the daemon above the control plane: the checks a start
 * would make, where the new process's ready file goes, and what to do once it has taken over.
 */
public interface UpgradeHooks {

    /** Set in a successor's environment: the pid of the process it takes over from. */
    String FROM_ENV = "LB_UPGRADE_FROM";
    /** Set in a successor's environment: where it writes its pid once ready. */
    String READY_ENV = "LB_UPGRADE_READY";

    /** Every problem a new process would refuse to start for (the config file as it is now); empty when none. */
    List<String> startProblems();

    /** Where the new process writes its pid once ready (beside the admin socket). */
    Path readyFile();

    /** Where a new process with {@code pid} binds its admin socket until it is ready (removed if it fails). */
    Path successorSocket(long pid);

    /** The new process (pid {@code newPid}) is ready: stop accepting and drain, then exit. */
    void handOver(long newPid);

    /** How long the drain gives sessions. */
    long graceMs();
}
