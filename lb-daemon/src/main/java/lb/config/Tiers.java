package lb.config;

/**
 * Any thread (stateless). A pool's backends fall into tiers, and a new session goes to the best
 * (lowest) tier that has a backend able to take it, as HAProxy's {@code backup} servers and SRV
 * priorities (RFC 2782: "a client MUST attempt to contact the target host with the lowest-numbered
 * priority it can reach") do. A tier is a number: 0 for a plain backend, an SRV record's priority
 * (0..65535) for a discovered one, and {@link #BACKUP} plus that for a backup, so that a backup
 * comes after every priority.
 */
public final class Tiers {

    /** A plain {@code [[pool.backend]]}, an added backend, an SRV record of priority 0 or an A/AAAA record. */
    public static final int PRIMARY = 0;
    /** Above every SRV priority (16 bits): {@code backup = true}. */
    public static final int BACKUP = 1 << 16;

    private Tiers() {
    }

    /** {@code priority} (an SRV record's, or 0), as a backup when {@code backup}. */
    public static int of(int priority, boolean backup) {
        return backup ? BACKUP + priority : priority;
    }

    public static boolean isBackup(int tier) {
        return tier >= BACKUP;
    }

    /** As status and explain show it: "0", "10" (an SRV priority), "backup", "backup+10". */
    public static String describe(int tier) {
        if (tier < BACKUP) {
            return Integer.toString(tier);
        }
        return tier == BACKUP ? "backup" : "backup+" + (tier - BACKUP);
    }
}
