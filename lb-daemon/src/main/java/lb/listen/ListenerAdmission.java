package lb.listen;

import java.util.concurrent.atomic.AtomicLongArray;

import lb.admission.AccessRules;
import lb.admission.ListenerRateLimit;
import lb.admission.SourceTable;
import lb.config.AdmissionConfig;

/**
 * Any thread: event loops admit and release, the stats and control threads read. One listener's
 * admission rules as built from its config, replaced as a whole when a reload changes them (the
 * sessions admitted before keep and release into the one that admitted them). Nothing here locks
 * or allocates per connection.
 */
public final class ListenerAdmission {

    /** Why a connection was turned away after accept; the metric's and log's word. */
    public enum Refusal {
        DENIED("denied"), SOURCE_CONNECTIONS("source_connections"), SOURCE_RATE("source_rate"),
        SOURCE_TABLE_FULL("source_table_full");

        private final String label;

        Refusal(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** {@link #admit}: let in, no per-source slot to give back. */
    public static final int UNTRACKED = -1;

    private final AdmissionConfig config;
    private final AccessRules rules;
    private final SourceTable sources;
    private final ListenerRateLimit rate;

    private ListenerAdmission(AdmissionConfig config) {
        this.config = config;
        this.rules = AccessRules.of(config.allow(), config.deny());
        this.sources = config.tracksSources() ? new SourceTable(config.maxTrackedSources(), config.sourcePrefixIpv4(),
                config.sourcePrefixIpv6(), config.sourceMaxConnections(), config.sourceRate(), config.sourceBurst()) : null;
        this.rate = config.rateLimit() > 0 ? new ListenerRateLimit(config.rateLimit(), config.rateLimitBurst()) : null;
    }

    /** Null when the config checks nothing. */
    static ListenerAdmission of(AdmissionConfig config) {
        return config.checksSources() || config.rateLimit() > 0 ? new ListenerAdmission(config) : null;
    }

    public AdmissionConfig config() {
        return config;
    }

    /** Whether connections are checked after accept (else only the listener-wide rate applies). */
    public boolean checksSources() {
        return config.checksSources();
    }

    /**
     * Event loop: whether a client from {@code address} (4 or 16 bytes) may in. Returns a slot to
     * {@link #release} when its connection ends (>= 0), {@link #UNTRACKED}, or a refusal as
     * {@code -2 - refusal.ordinal()} ({@link #refusal(int)}).
     */
    public int admit(byte[] address, long nowNs) {
        if (!rules.allows(address, address.length)) {
            return refused(Refusal.DENIED);
        }
        if (sources == null) {
            return UNTRACKED;
        }
        int slot = sources.tryAdmit(address, address.length, nowNs);
        if (slot >= 0) {
            return slot;
        }
        return refused(slot == SourceTable.REFUSED_CONNECTIONS ? Refusal.SOURCE_CONNECTIONS
                : slot == SourceTable.REFUSED_RATE ? Refusal.SOURCE_RATE : Refusal.SOURCE_TABLE_FULL);
    }

    private static int refused(Refusal r) {
        return -2 - r.ordinal();
    }

    public static boolean isRefusal(int result) {
        return result < UNTRACKED;
    }

    public static Refusal refusal(int result) {
        return Refusal.values()[-2 - result];
    }

    /** Event loop: a connection {@link #admit} gave {@code slot} ended. */
    public void release(int slot) {
        if (slot >= 0) {
            sources.release(slot);
        }
    }

    /** The per-source table, or null when no per-source limit is set. */
    public SourceTable sources() {
        return sources;
    }

    /** The listener-wide rate limit, or null. */
    ListenerRateLimit rate() {
        return rate;
    }

    /** Counts of refusals by reason live on the {@link Listener} (they outlive a reload's new rules). */
    static AtomicLongArray newRefusalCounts() {
        return new AtomicLongArray(Refusal.values().length);
    }
}
