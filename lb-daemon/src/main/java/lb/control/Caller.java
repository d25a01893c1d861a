package lb.control;

/**
 * Any thread (immutable). Who asked for a command, for the audit line: an admin client as the
 * kernel reports it ({@code SO_PEERCRED}: user and group) with the pid it declared, checked against
 * the owner of that process; or the daemon itself (a signal, the state journal).
 *
 * @param user       user name (or uid) of the peer, "-" when unknown
 * @param uid        numeric uid, -1 when unknown
 * @param pid        process id, -1 when unknown
 * @param pidChecked whether {@code pid} belongs to a process of {@code user} (the kernel does not
 *                   report the pid through the JDK, so the client declares it)
 */
public record Caller(String user, long uid, long pid, boolean pidChecked) {

    /** The daemon acting on a signal. */
    public static Caller signal(String name) {
        return new Caller("signal " + name, -1, ProcessHandle.current().pid(), true);
    }

    /** For the audit line: {@code uid=0 (root) pid=4242}. */
    @Override
    public String toString() {
        if (user.startsWith("signal ")) {
            return user;
        }
        return "uid=" + (uid >= 0 ? Long.toString(uid) : "?") + " (" + user + ") pid="
                + (pid >= 0 ? pid + (pidChecked ? "" : " (declared, not verified)") : "?");
    }
}
