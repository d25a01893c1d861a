package lb.config;

import java.time.Duration;

/**
 * Immutable; any thread. The timeouts of a session. A zero idle or half-close timeout means "none".
 *
 * @param connect   backend connect must complete within this, or the next backend is tried
 * @param idle      no byte in either direction for this long closes the session
 * @param halfClose after one direction has ended, the other must end within this
 */
public record Timeouts(Duration connect, Duration idle, Duration halfClose) {

    public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(30));

    /** These timeouts with any of the pool's overrides (each may be null) applied. */
    public Timeouts overriddenBy(Duration poolConnect, Duration poolIdle, Duration poolHalfClose) {
        return new Timeouts(poolConnect != null ? poolConnect : connect, poolIdle != null ? poolIdle : idle,
                poolHalfClose != null ? poolHalfClose : halfClose);
    }
}
