package lb.session;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.balance.Hashing;
import lb.config.HashKey;
import lb.config.ProxyProtocolAccept;
import lb.config.ProxyProtocolSend;
import lb.listen.Listener;
import lb.listen.ListenerAdmission;
import lb.listen.SniRoutes;
import lb.log.RateLimitedLog;
import lb.loop.EventLoop;
import lb.loop.KeyHandler;
import lb.loop.Sockets;
import lb.loop.TimerWheel;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.pool.ConnectFailure;
import lb.pool.LoopCounters;
import lb.proxyproto.ProxyHeaderParser;

/**
 * Owned by the EventLoop thread that accepted it, for its whole life. One client connection and
 * the backend connection made for it: connect (with retries on other backends), then relay both
 * directions until both have ended, a timeout, or a reset.
 *
 * <p>The client is not read until the backend is connected: the kernel holds early bytes, which
 * makes retrying on another backend safe. The session is its own timer (connect, idle and
 * half-close deadlines share the one slot, since only the earliest matters) and its own key
 * attachment for both channels.
 *
 * <p>On a listener that takes a PROXY protocol header or routes by server name, the client is read
 * before any backend is picked: that preamble is {@link Preamble}'s. A PROXY header to the backend
 * is {@link BackendProxyHeader}'s.
 */
public final class Session extends TimerWheel.Timer implements KeyHandler, ClientKey {

    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    static final long LOCAL_RETRY_MS = 50;

    static {
        // Loaded now, not on the first session that ends: out of descriptors, loading a class from
        // a classpath directory needs one, and a session that cannot load how it ended cannot close.
        Termination.values();
        ConnectFailure.values();
    }
    // Out of descriptors, every session on every loop fails at once: one line per 10 s for all.
    private static final RateLimitedLog LOCAL_FAILURES = new RateLimitedLog(LOG, 10_000_000_000L);
    // Both can repeat for every client (a socket option the kernel refuses; a bug in a timer path).
    // BackendProxyHeader shares SETUP_FAILURES: one limit for every way a session's set-up fails.
    static final RateLimitedLog SETUP_FAILURES = new RateLimitedLog(LOG, 10_000_000_000L);
    private static final RateLimitedLog TIMER_FAILURES = new RateLimitedLog(LOG, 1_000_000_000L);
    // Refused sources come in floods: one line per 10 s for all.
    private static final RateLimitedLog REFUSALS = new RateLimitedLog(LOG, 10_000_000_000L);

    // States and fields without 'private' are shared with the Preamble, which moves a session through
    // its first states and fills in who the client is and where it goes before any backend is picked,
    // and with BackendProxyHeader, which tells the backend.
    static final byte CONNECTING = 0;
    static final byte RELAYING = 1;
    static final byte CLOSED = 2;
    static final byte READING_PROXY_HEADER = 3;
    static final byte READING_CLIENT_HELLO = 4;

    final EventLoop loop;
    final Listener listener;
    final LoopSessions sessions;
    final SocketChannel client;
    // The TCP peer's, or the one its PROXY protocol header names.
    SocketAddress clientAddress;
    // The address the client connected to, from its PROXY protocol header; null: the client socket's own.
    InetSocketAddress destination;
    // With routes by server name: the one taken (null: the listener's default pool), and the name the
    // client sent (for the access log).
    SniRoutes.Target routed;
    String sni;
    // The admission rules that let this client in, and its slot in their per-source table (or UNTRACKED).
    ListenerAdmission admission;
    int sourceSlot = ListenerAdmission.UNTRACKED;
    final SelectionKey clientKey;
    final Relay upstream;   // client -> backend
    private final Relay downstream; // backend -> client
    private final long openedNs;
    // Only on a listener with a PROXY header or routes by server name; made on first need, kept for both phases.
    private Preamble preamble;

    private SocketChannel backendChannel;
    private SelectionKey backendKey;
    private Backend backend;
    private int attempts;
    // While this host is out of descriptors: when the client stops waiting (0 otherwise).
    private long localWaitDeadlineNs;
    byte state = CONNECTING;
    int clientOps;
    private int backendOps;
    private long lastActivityNs;
    private boolean halfClosed;
    private long halfClosedSinceNs;
    // While connecting: when the current attempt started; once connected: how long it took.
    private long connectNs;
    private long firstByteNs = -1;
    // Whether the backend's success or failure was reported for passive health checking.
    private boolean outcomeReported;
    // Client hashes for hashing balancers, computed on first use (a retry reuses them).
    private long ipHash;
    private long ipPortHash;
    private byte hashesKnown;

    // Links of LoopSessions' intrusive list.
    Session listPrev;
    Session listNext;
    // Given by LoopSessions when the session joins its list: unique in the process (admin listings, kill-session).
    long id;

    private Session(EventLoop loop, Listener listener, LoopSessions sessions, SocketChannel client, long nowNs)
            throws IOException {
        this.loop = loop;
        this.listener = listener;
        this.sessions = sessions;
        this.client = client;
        this.clientAddress = client.getRemoteAddress(); // cached by the channel since accept
        this.openedNs = nowNs;
        this.upstream = new Relay(loop, this);
        this.downstream = new Relay(loop, this);
        client.configureBlocking(false);
        Sockets.apply(client, listener.socketOptions());
        // Interest 0 until the backend is connected: early client bytes wait in the kernel.
        this.clientKey = client.register(loop.selector(), 0, this);
    }

    /**
     * Starts a session for a freshly accepted client; the listener slot was already taken. On any
     * failure the client is closed and the slot given back; never throws.
     */
    public static void open(EventLoop loop, Listener listener, LoopSessions sessions, SocketChannel client, long nowNs) {
        ProxyProtocolAccept proxy = listener.proxyProtocol();
        ListenerAdmission admission = listener.admission();
        int slot = ListenerAdmission.UNTRACKED;
        if (proxy == null && admission != null && admission.checksSources()) {
            // Checked before anything is set up, so that a refused client costs least.
            try {
                slot = admission.admit(((InetSocketAddress) client.getRemoteAddress()).getAddress().getAddress(), nowNs);
            } catch (IOException | RuntimeException e) {
                slot = ListenerAdmission.UNTRACKED; // the set-up below meets the same failure and says so
            }
            if (ListenerAdmission.isRefusal(slot)) {
                refuse(listener, client, ListenerAdmission.refusal(slot), nowNs);
                return;
            }
        }
        Session session;
        try {
            session = new Session(loop, listener, sessions, client, nowNs);
        } catch (IOException | RuntimeException e) {
            SETUP_FAILURES.warn(nowNs, "listener " + listener.name() + ": could not set up accepted connection: " + e);
            Sockets.closeQuietly(client, true);
            if (admission != null) {
                admission.release(slot);
            }
            listener.release();
            return;
        }
        session.admission = admission;
        session.sourceSlot = slot;
        sessions.add(session);
        if (proxy != null) {
            session.preamble().awaitProxyHeader(proxy, nowNs);
        } else {
            session.start(nowNs);
        }
    }

    /** The client may in and is who it says: look at its ClientHello first when the listener routes by name. */
    void start(long nowNs) {
        SniRoutes routes = listener.sniRoutes();
        if (routes != null) {
            preamble().awaitClientHello(routes, nowNs);
        } else {
            connectNext(null, nowNs);
        }
    }

    private Preamble preamble() {
        if (preamble == null) {
            preamble = new Preamble(this);
        }
        return preamble;
    }

    /**
     * Turned away by the admission rules: reset at once (RST, so that lb keeps no TIME_WAIT for a
     * flood of them), counted, never logged per connection and not an access-log line.
     */
    private static void refuse(Listener listener, SocketChannel client, ListenerAdmission.Refusal reason, long nowNs) {
        listener.onRefused(reason);
        logRefusal(listener, reason, nowNs);
        Sockets.closeQuietly(client, true);
        listener.release();
    }

    /** Refusals come in floods: the line is built only when it is written, with how many were not. */
    static void logRefusal(Listener listener, ListenerAdmission.Refusal reason, long nowNs) {
        if (REFUSALS.shouldLog(nowNs)) {
            LOG.warn("listener {}: refused a connection ({}); {} more refusals not logged since the last line",
                    listener.name(), reason.label(), REFUSALS.takeSuppressed());
        }
    }

    /** Event loop: its id, as admin listings show it. */
    public long id() {
        return id;
    }

    int loopIndex() {
        return loop.index();
    }

    /** The client's address (for hashing balancers and logs). */
    public SocketAddress clientAddress() {
        return clientAddress;
    }

    @Override
    public long clientHash(HashKey key) {
        int bit = key == HashKey.CLIENT_IP ? 1 : 2;
        if ((hashesKnown & bit) == 0) {
            InetSocketAddress inet = (InetSocketAddress) clientAddress;
            // getAddress() copies the address bytes: once per session and key, never per pick.
            long h = Hashing.address(inet.getAddress().getAddress(), bit == 1 ? -1 : inet.getPort());
            if (bit == 1) {
                ipHash = h;
            } else {
                ipPortHash = h;
            }
            hashesKnown |= bit;
        }
        return bit == 1 ? ipHash : ipPortHash;
    }

    public Listener listener() {
        return listener;
    }

    /** The backend this session is placed on, or null before placement and after a failed try. */
    public Backend backend() {
        return backend;
    }

    @Override
    public void onReady(SelectionKey key, long nowNs) {
        if (state == CLOSED) {
            return;
        }
        if (state == READING_PROXY_HEADER) {
            preamble.readProxyHeader(nowNs);
            return;
        }
        if (state == READING_CLIENT_HELLO) {
            preamble.readClientHello(nowNs, false);
            return;
        }
        int ready = key.readyOps();
        if (key == backendKey && state == CONNECTING) {
            onConnectable(nowNs);
            return;
        }
        Relay relay = null;
        try {
            if (key == backendKey) {
                if ((ready & SelectionKey.OP_WRITE) != 0) {
                    relay = upstream;
                    upstream.flush();
                }
                if ((ready & SelectionKey.OP_READ) != 0) {
                    relay = downstream;
                    downstream.transfer();
                }
            } else {
                if ((ready & SelectionKey.OP_WRITE) != 0) {
                    relay = downstream;
                    downstream.flush();
                }
                if ((ready & SelectionKey.OP_READ) != 0) {
                    relay = upstream;
                    upstream.transfer();
                }
            }
        } catch (IOException e) {
            // The relay says which of its two channels failed; upstream's source is the client.
            boolean clientFailed = (relay == upstream) == relay.failedOnSource();
            close(clientFailed ? Termination.CLIENT_RESET : Termination.BACKEND_RESET);
            return;
        }
        if (state == CLOSED) {
            return; // a relay made room in the pool by evicting this session's other direction
        }
        if (!outcomeReported && downstream.bytes() > 0) {
            outcomeReported = true; // the backend answered: whatever comes next, it works
            firstByteNs = nowNs - openedNs;
            backend.onSessionSucceeded();
        }
        lastActivityNs = nowNs;
        afterIo(nowNs);
    }

    @Override
    public void onFailure(Throwable cause) {
        close(Termination.INTERNAL_ERROR);
    }

    /** A timer callback threw (a bug): the session is released like one whose I/O handler threw. */
    @Override
    protected void onTimeoutFailed(Throwable cause) {
        TIMER_FAILURES.error(loop.nowNs(), this + ": timer failed; closing the session", cause);
        onFailure(cause);
    }

    /** Whether the direction opposite to {@code relay} has ended (so the session closes next). */
    boolean otherDirectionDone(Relay relay) {
        return (relay == upstream ? downstream : upstream).isDone();
    }

    boolean isClosed() {
        return state == CLOSED;
    }

    /** A starved relay may read again; returns false when this session has closed meanwhile. */
    boolean onRelayResumed() {
        if (state != RELAYING) {
            return false;
        }
        updateInterest();
        return true;
    }

    @Override
    protected void onTimeout(long nowNs) {
        if (state == READING_PROXY_HEADER) {
            preamble.rejectProxyHeader(ProxyHeaderParser.Failure.TIMEOUT, nowNs);
        } else if (state == READING_CLIENT_HELLO) {
            preamble.route(null, Listener.SniDefault.TIMEOUT, nowNs); // what came so far goes to the default pool
        } else if (state == CONNECTING && backend == null) {
            connectNext(null, nowNs); // waiting for a local resource: try again
        } else if (state == CONNECTING) {
            onConnectFailed(ConnectFailure.TIMEOUT, "timed out", nowNs);
        } else if (state == RELAYING) {
            long idleDeadlineNs = idleDeadlineNs();
            long halfCloseDeadlineNs = halfCloseDeadlineNs();
            if (nowNs >= idleDeadlineNs) {
                close(Termination.IDLE_TIMEOUT);
            } else if (nowNs >= halfCloseDeadlineNs) {
                close(Termination.HALF_CLOSE_TIMEOUT);
            } else {
                scheduleRelayDeadline();
            }
        }
    }

    /** The pool this session is balanced over: its route's, or the listener's. */
    private BackendPool pool() {
        return routed != null ? routed.pool() : listener.pool();
    }

    private long connectTimeoutNs() {
        return routed != null ? routed.connectTimeoutNs() : listener.connectTimeoutNs();
    }

    private long halfCloseTimeoutNs() {
        return routed != null ? routed.halfCloseTimeoutNs() : listener.halfCloseTimeoutNs();
    }

    void connectNext(Backend avoid, long nowNs) {
        BackendPool pool = pool();
        Balancer balancer = pool.snapshot().balancer(loop.index());
        Backend candidate = balancer.pick(this, avoid);
        if (candidate != null && !candidate.tryPlace()) {
            // It reached its connection limit, or its half-open trial went to another loop, since
            // the pick read its state: one more pick, past it.
            Backend next = balancer.pick(this, candidate);
            candidate = next != null && next != avoid && next.tryPlace() ? next : null;
        }
        if (candidate == null) {
            if (avoid == null) {
                pool.onSessionRefused();
            }
            close(avoid == null ? Termination.NO_BACKEND : Termination.CONNECT_FAILED);
            return;
        }
        attempts++;
        backend = candidate;
        connectNs = nowNs;
        boolean connected;
        try {
            backendChannel = SocketChannel.open(Sockets.family(candidate.address()));
            backendChannel.configureBlocking(false);
            Sockets.apply(backendChannel, listener.socketOptions());
            connected = backendChannel.connect(candidate.address());
            backendOps = connected ? 0 : SelectionKey.OP_CONNECT;
            backendKey = backendChannel.register(loop.selector(), backendOps, this);
        } catch (IOException e) {
            if (ConnectFailure.isLocal(e)) {
                waitForLocalResources(e, nowNs);
            } else {
                onConnectFailed(ConnectFailure.of(e), e.getMessage(), nowNs);
            }
            return;
        }
        endDescriptorWait();
        if (connected) {
            onConnected(nowNs);
        } else {
            loop.timers().schedule(this, nowNs + connectTimeoutNs());
        }
    }

    private void endDescriptorWait() {
        if (localWaitDeadlineNs != 0) {
            localWaitDeadlineNs = 0;
            loop.descriptorWait(false);
        }
    }

    /**
     * This host is out of descriptors (or buffers, memory, local ports): not the backend's fault,
     * so nothing is charged to it, and the client is not reset but waits, trying again every
     * {@value #LOCAL_RETRY_MS} ms, until its connect timeout (counted from the first such failure).
     */
    private void waitForLocalResources(IOException e, long nowNs) {
        backend.onSessionReleased();
        backend = null;
        attempts--;
        if (backendChannel != null) {
            Sockets.closeQuietly(backendChannel, true);
            backendChannel = null;
        }
        backendKey = null;
        if (localWaitDeadlineNs == 0) {
            localWaitDeadlineNs = nowNs + connectTimeoutNs();
            loop.descriptorWait(true);
        }
        if (nowNs - localWaitDeadlineNs >= 0) {
            close(Termination.CONNECT_FAILED);
            return;
        }
        LOCAL_FAILURES.warn(nowNs, "listener " + listener.name() + ": cannot open a backend connection: "
                + e.getMessage() + " (local, not the backend's fault: clients wait up to connect_timeout)");
        loop.timers().schedule(this, nowNs + LOCAL_RETRY_MS * 1_000_000);
    }

    private void onConnectable(long nowNs) {
        boolean connected;
        try {
            connected = backendChannel.finishConnect();
        } catch (IOException e) {
            onConnectFailed(ConnectFailure.of(e), e.getMessage(), nowNs);
            return;
        }
        if (connected) {
            onConnected(nowNs);
        }
    }

    private void onConnectFailed(ConnectFailure cause, String reason, long nowNs) {
        Backend failed = backend;
        long unlogged = failed.onConnectFailed(cause, nowNs);
        if (unlogged >= 0) {
            LOG.warn("pool {}: connect to backend {} failed: {}{}", pool().name(), failed, reason,
                    unlogged > 0 ? " (and " + unlogged + " more failures since the last warning)" : "");
        }
        failed.onSessionReleased();
        backend = null;
        loop.timers().cancel(this);
        if (backendChannel != null) {
            Sockets.closeQuietly(backendChannel, true);
            backendChannel = null;
        }
        backendKey = null;
        if (attempts > pool().retries()) {
            close(Termination.CONNECT_FAILED);
            return;
        }
        connectNext(failed, nowNs);
    }

    private void onConnected(long nowNs) {
        state = RELAYING;
        connectNs = nowNs - connectNs;
        loop.timers().cancel(this);
        upstream.attach(client, backendChannel);
        downstream.attach(backendChannel, client);
        lastActivityNs = nowNs;
        scheduleRelayDeadline();
        ProxyProtocolSend proxy = pool().proxyProtocol();
        if (proxy != ProxyProtocolSend.NONE && !BackendProxyHeader.send(this, backendChannel, proxy, nowNs)) {
            return;
        }
        // The client's first bytes are usually here already (sent right after its connect, while
        // ours was in progress): relay them now, not a select later (HAProxy's speculative I/O).
        // Bytes that came with its PROXY header go first, and are all there is until they are flushed.
        try {
            if (upstream.wantsWrite()) {
                upstream.flushPreloaded();
            } else {
                upstream.transfer();
            }
        } catch (IOException e) {
            close(upstream.failedOnSource() ? Termination.CLIENT_RESET : Termination.BACKEND_RESET);
            return;
        }
        if (state == RELAYING) {
            afterIo(nowNs);
        }
    }

    private void afterIo(long nowNs) {
        boolean upDone = upstream.isDone();
        boolean downDone = downstream.isDone();
        if (upDone && downDone) {
            close(Termination.COMPLETED);
            return;
        }
        if ((upDone || downDone) && !halfClosed) {
            halfClosed = true;
            halfClosedSinceNs = nowNs;
            if (halfCloseTimeoutNs() > 0) {
                scheduleRelayDeadline();
            }
        }
        updateInterest();
    }

    private void scheduleRelayDeadline() {
        long deadlineNs = Math.min(idleDeadlineNs(), halfCloseDeadlineNs());
        if (deadlineNs == Long.MAX_VALUE) {
            loop.timers().cancel(this);
        } else if (!isScheduled() || deadlineNs < deadlineNs()) {
            loop.timers().schedule(this, deadlineNs);
        }
    }

    private long idleDeadlineNs() {
        long idleNs = routed != null ? routed.idleTimeoutNs() : listener.idleTimeoutNs();
        return idleNs > 0 ? lastActivityNs + idleNs : Long.MAX_VALUE;
    }

    private long halfCloseDeadlineNs() {
        long halfCloseNs = halfCloseTimeoutNs();
        return halfClosed && halfCloseNs > 0 ? halfClosedSinceNs + halfCloseNs : Long.MAX_VALUE;
    }

    private void updateInterest() {
        int ops = (upstream.wantsRead() ? SelectionKey.OP_READ : 0) | (downstream.wantsWrite() ? SelectionKey.OP_WRITE : 0);
        if (ops != clientOps) {
            clientKey.interestOps(ops);
            clientOps = ops;
        }
        ops = (downstream.wantsRead() ? SelectionKey.OP_READ : 0) | (upstream.wantsWrite() ? SelectionKey.OP_WRITE : 0);
        if (ops != backendOps) {
            backendKey.interestOps(ops);
            backendOps = ops;
        }
    }

    /** Ends the session: gives back buffers, slots and counts, closes both channels (RST if abortive). */
    void close(Termination cause) {
        if (state == CLOSED) {
            return;
        }
        boolean wasRelaying = state == RELAYING;
        state = CLOSED;
        endDescriptorWait();
        loop.timers().cancel(this);
        upstream.release();
        downstream.release();
        // The side whose error ended the session (a reset, a timeout) is dead already: its close sends
        // nothing either way, so it is spared the SO_LINGER call (one system call per reset session).
        Sockets.setLingerZero(client, cause.abortive() && cause != Termination.CLIENT_RESET);
        loop.closeAfterDeregistration(clientKey);
        if (backendChannel != null) {
            Sockets.setLingerZero(backendChannel, cause.abortive() && cause != Termination.BACKEND_RESET);
            loop.closeAfterDeregistration(backendKey);
        }
        if (backend != null) {
            if (wasRelaying && !outcomeReported) {
                // A backend that resets before it sent a byte failed (it accepted, then gave up);
                // one that closed cleanly worked. Other ends (client gone, timeouts) say nothing.
                if (cause == Termination.BACKEND_RESET) {
                    backend.onSessionFailed();
                } else if (cause == Termination.COMPLETED) {
                    backend.onSessionSucceeded();
                }
            }
            backend.onSessionReleased();
        }
        if (admission != null) {
            admission.release(sourceSlot);
            sourceSlot = ListenerAdmission.UNTRACKED;
        }
        listener.release();
        sessions.remove(this);
        StatsRing ring = sessions.ring();
        if (ring != null && cause != Termination.REFUSED) {
            publish(ring, cause, wasRelaying);
        }
    }

    /** Event loop: this session's end, for stats and the access log (dropped and counted if the ring is full). */
    private void publish(StatsRing ring, Termination cause, boolean connected) {
        SessionEvent event = ring.claim();
        if (event == null) {
            return;
        }
        event.listener = listener;
        event.pool = pool();
        event.sni = sni;
        event.route = routed != null ? routed.name() : null;
        event.backend = backend;
        event.client = clientAddress;
        event.id = id;
        event.up = upstream.bytes();
        event.down = downstream.bytes();
        event.durationNs = loop.nowNs() - openedNs;
        event.connectNs = connected ? connectNs : -1;
        event.firstByteNs = firstByteNs;
        event.attempts = attempts;
        event.end = cause;
        ring.publish(event);
    }

    /** Event loop: {@code relay} moved {@code n} more bytes; counted for its listener and backend. */
    void onRelayed(Relay relay, long n) {
        if (sessions.countsTraffic()) {
            int direction = relay == upstream ? LoopCounters.UP : LoopCounters.DOWN;
            listener.traffic().add(loop.index(), direction, n);
            backend.traffic().add(loop.index(), direction, n);
        }
    }

    /** EventLoop thread: a copy of what the admin listing shows. */
    SessionInfo info(long nowNs) {
        return new SessionInfo(id, Sockets.plainHostPort(clientAddress), listener.name(),
                backend != null ? pool().name() + "/" + backend.name() : "-", (nowNs - openedNs) / 1_000_000,
                upstream.bytes(), downstream.bytes());
    }

    @Override
    public String toString() {
        return "session " + Sockets.plainHostPort(clientAddress) + " -> " + (backend != null ? backend.name() : "-");
    }
}
