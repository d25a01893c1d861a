package lb.pool;

/** Any thread (immutable). What health checking last concluded about a backend. */
public enum HealthState {
    /** Passing (or not checked: a pool without health checks treats every backend as up). */
    UP,
    /** Failing; takes no new sessions. */
    DOWN
}
