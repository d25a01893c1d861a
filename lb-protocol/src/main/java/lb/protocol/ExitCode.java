package lb.protocol;

/**
 * Any thread. lb-cli's exit codes, for scripts: each is a compile-time constant so that picocli's
 * annotations can list them.
 */
public final class ExitCode {

    /** The daemon did what was asked. */
    public static final int OK = 0;
    /** The daemon answered with an error (see its message and code). */
    public static final int REFUSED = 1;
    /** The command line itself was wrong. */
    public static final int USAGE = 2;
    /** The daemon could not be reached, or did not answer in time. */
    public static final int UNREACHABLE = 3;
    /** {@code drain --wait}: the deadline came with sessions left (what then happened: {@code --then}). */
    public static final int SESSIONS_LEFT = 4;
    /** The change was made, but the state file could not be written: it will not survive a restart. */
    public static final int NOT_SAVED = 5;
    /** {@code kill-session}: no open session matched. */
    public static final int NO_MATCH = 6;
    /** {@code diff}: the live state differs from the config file (as diff(1), whose 1 this is). */
    public static final int DIFFERENT = 1;

    /** For picocli's {@code exitCodeList}. */
    public static final String OK_LINE = OK + ":ok";
    public static final String REFUSED_LINE = REFUSED + ":refused by the daemon";
    public static final String USAGE_LINE = USAGE + ":usage error";
    public static final String UNREACHABLE_LINE = UNREACHABLE + ":cannot reach the daemon";
    public static final String NOT_SAVED_LINE = NOT_SAVED + ":done, but not saved to the state file (see the warning)";
    public static final String NO_MATCH_LINE = NO_MATCH + ":kill-session: no open session matched";
    public static final String SESSIONS_LEFT_LINE = SESSIONS_LEFT + ":drain --wait: the deadline came with sessions left";

    private ExitCode() {
    }
}
