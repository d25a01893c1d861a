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

    /** For picocli's {@code exitCodeList}. */
    public static final String OK_LINE = OK + ":ok";
    public static final String REFUSED_LINE = REFUSED + ":refused by the daemon";
    public static final String USAGE_LINE = USAGE + ":usage error";
    public static final String UNREACHABLE_LINE = UNREACHABLE + ":cannot reach the daemon";

    private ExitCode() {
    }
}
