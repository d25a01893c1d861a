package lb.session;

import java.net.SocketAddress;

import lb.listen.Listener;
import lb.pool.Backend;
import lb.pool.BackendPool;

/**
 * Filled by an event loop, then read by the StatsAggregator thread, then reused: one slot of a
 * {@link StatsRing}. A session that ended, as stats and the access log need it. Slots are made once,
 * so publishing an event allocates nothing.
 */
public final class SessionEvent {

    public Listener listener;
    public BackendPool pool;
    /** Null when no backend could be connected. */
    public Backend backend;
    public SocketAddress client;
    /** The session's id, as lb-cli sessions lists it and kill-session takes it. */
    public long id;
    /** Bytes read from the client (and sent on to the backend). */
    public long up;
    /** Bytes read from the backend (and sent on to the client). */
    public long down;
    public long durationNs;
    /** How long the connect that succeeded took; -1 when none did. */
    public long connectNs;
    /** From accept to the first byte from the backend; -1 when none came. */
    public long firstByteNs;
    /** Backends tried (1 = no retry). */
    public int attempts;
    public Termination end;
    /** The server name of its ClientHello, on a listener that routes by it; else null. */
    public String sni;
    /** The route it took, by name; null for none (or a listener without routes). */
    public String route;

    void clear() {
        sni = null;
        route = null;
        listener = null;
        pool = null;
        backend = null;
        client = null;
        end = null;
    }
}
