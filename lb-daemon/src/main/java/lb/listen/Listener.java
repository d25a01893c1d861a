package lb.listen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import lb.config.ListenerConfig;
import lb.config.ProxyProtocolAccept;
import lb.config.SocketOptions;
import lb.config.Timeouts;
import lb.loop.Sockets;
import lb.pool.BackendPool;
import lb.pool.LoopCounters;
import lb.proxyproto.ProxyHeaderParser;

/**
 * Any thread. A bound listening address, the pool it serves, its effective timeouts and its
 * connection limit. Holds one listening socket per event loop (SO_REUSEPORT, the default) or one
 * socket shared by all loops; each loop accepts through its own {@link Acceptor}, so accepted
 * sockets are never handed between threads.
 *
 * <p>A reload may point a listener at another pool, or change its timeouts and limits, without
 * touching its sockets: those settings form one {@link Route}, replaced as a whole. A session reads
 * the route when it needs it, so a changed timeout applies to open sessions from then on.
 */
public final class Listener {

    private volatile Route route;
    private final ServerSocketChannel[] channels;
    private final InetSocketAddress boundAddress;
    private final Acceptor[] acceptors;
    // Sessions open on this listener, over all loops; checked against max_connections on accept.
    private final AtomicInteger active = new AtomicInteger();
    private final LoopCounters traffic;
    // Connections closed for their PROXY protocol header, by reason (rare: a plain atomic per reason).
    private final AtomicLongArray proxyRejected = new AtomicLongArray(ProxyHeaderParser.Failure.values().length);
    // Connections turned away by the admission rules, by reason (over every version of the rules).
    private final AtomicLongArray refused = ListenerAdmission.newRefusalCounts();
    // Sessions no route took (they went to the default pool, or were reset without one), by reason.
    private final AtomicLongArray sniDefaults = new AtomicLongArray(SniDefault.values().length);

    /** {@link #traffic()} counter after {@link LoopCounters#UP} and {@link LoopCounters#DOWN}: connections accepted. */
    public static final int ACCEPTED = 2;

    /** What a reload may change without rebinding. */
    private record Route(ListenerConfig config, BackendPool pool, long connectTimeoutNs, long idleTimeoutNs,
                         long halfCloseTimeoutNs, ListenerAdmission admission, SniRoutes sni) {

        Route(ListenerConfig config, BackendPool pool, Timeouts timeouts, ListenerAdmission admission, SniRoutes sni) {
            this(config, pool, timeouts.connect().toNanos(), timeouts.idle().toNanos(), timeouts.halfClose().toNanos(),
                    admission, sni);
        }
    }

    /** Why a session of a listener with routes went to its default pool (or was reset, without one). */
    public enum SniDefault {
        NO_SNI("no_sni"), NO_MATCH("no_match"), NOT_TLS("not_tls"), MALFORMED("malformed"), TIMEOUT("timeout"),
        TOO_LONG("too_long"), CLOSED("closed");

        private final String label;

        SniDefault(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private Listener(ListenerConfig config, BackendPool pool, Timeouts timeouts, SniRoutes sni,
                     ServerSocketChannel[] channels, InetSocketAddress boundAddress) {
        this.route = new Route(config, pool, timeouts, ListenerAdmission.of(config.admission()), sni);
        this.traffic = new LoopCounters(channels.length, 3);
        this.channels = channels;
        this.boundAddress = boundAddress;
        this.acceptors = new Acceptor[channels.length];
    }

    /**
     * Binds the listening socket(s) for {@code loops} event loops. On failure closes whatever it
     * bound and throws an exception whose message names the listener and the address.
     */
    public static Listener bind(ListenerConfig config, BackendPool pool, Timeouts timeouts, int loops) throws IOException {
        return bind(config, pool, timeouts, null, loops);
    }

    /** As above, with routes by server name ({@code sni}, null for none). */
    public static Listener bind(ListenerConfig config, BackendPool pool, Timeouts timeouts, SniRoutes sni, int loops)
            throws IOException {
        ServerSocketChannel[] channels = new ServerSocketChannel[loops];
        boolean reusePort = config.acceptMode() == ListenerConfig.AcceptMode.REUSEPORT;
        InetSocketAddress address = config.bind();
        try {
            for (int i = 0; i < loops; i++) {
                if (i > 0 && !reusePort) {
                    channels[i] = channels[0];
                    continue;
                }
                ServerSocketChannel channel = ServerSocketChannel.open(Sockets.family(address));
                channels[i] = channel;
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                // Also with one shared socket: an upgrade's new process joins the group while this
                // one still listens (lb-cli upgrade), whatever the accept mode.
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                if (config.socket().receiveBuffer() > 0) {
                    // Set on the listener so accepted sockets inherit it before the handshake (window scaling).
                    channel.setOption(StandardSocketOptions.SO_RCVBUF, config.socket().receiveBuffer());
                }
                channel.bind(address, config.backlog());
                // Port 0 asks for an ephemeral port: the other loops' sockets must join that one.
                address = (InetSocketAddress) channel.getLocalAddress();
            }
        } catch (IOException e) {
            closeAll(channels);
            throw new IOException("cannot listen on " + Sockets.hostPort(config.bind()) + " for listener \"" + config.name()
                    + "\": " + e.getMessage(), e);
        }
        return new Listener(config, pool, timeouts, sni, channels, address);
    }

    /**
     * Control thread (reload): new settings that need no rebinding (same address, backlog, accept
     * mode and receive buffer). New sessions go to {@code pool}; a limit raised past the number of
     * open sessions lets paused acceptors resume.
     */
    public void reroute(ListenerConfig config, BackendPool pool, Timeouts timeouts) {
        reroute(config, pool, timeouts, null);
    }

    /** As above, with routes by server name ({@code sni}, null for none). */
    public void reroute(ListenerConfig config, BackendPool pool, Timeouts timeouts, SniRoutes sni) {
        if (!sameSockets(route.config(), config)) {
            throw new IllegalArgumentException("listener " + name() + ": socket settings differ; rebind instead");
        }
        Route old = route;
        // Same rules: the same tables, so that per-source counts carry on. Changed ones start afresh.
        ListenerAdmission admission = old.config().admission().equals(config.admission()) ? old.admission()
                : ListenerAdmission.of(config.admission());
        route = new Route(config, pool, timeouts, admission, sni);
        for (Acceptor acceptor : acceptors) {
            if (acceptor != null) {
                acceptor.resumeIfPausedAtLimit();
            }
        }
    }

    /** Whether {@code a} and {@code b} can share listening sockets (only routing settings differ). */
    public static boolean sameSockets(ListenerConfig a, ListenerConfig b) {
        return a.bind().equals(b.bind()) && a.backlog() == b.backlog() && a.acceptMode() == b.acceptMode()
                && a.socket().receiveBuffer() == b.socket().receiveBuffer();
    }

    public String name() {
        return route.config().name();
    }

    public ListenerConfig config() {
        return route.config();
    }

    public BackendPool pool() {
        return route.pool();
    }

    public SocketOptions socketOptions() {
        return route.config().socket();
    }

    public long connectTimeoutNs() {
        return route.connectTimeoutNs();
    }

    /** 0 = none. */
    public long idleTimeoutNs() {
        return route.idleTimeoutNs();
    }

    /** 0 = none. */
    public long halfCloseTimeoutNs() {
        return route.halfCloseTimeoutNs();
    }

    /** The address actually bound (the real port when the config said 0). */
    public InetSocketAddress boundAddress() {
        return boundAddress;
    }

    /** Bytes each way and connections accepted, per event loop. */
    public LoopCounters traffic() {
        return traffic;
    }

    /** The PROXY protocol header its clients must send first, or null (read once per session). */
    public ProxyProtocolAccept proxyProtocol() {
        return route.config().proxyProtocol();
    }

    /** Allow/deny lists and limits (read once per connection), or null when there are none. */
    public ListenerAdmission admission() {
        return route.admission();
    }

    /** Routes by TLS server name (read once per session), or null when it has none. */
    public SniRoutes sniRoutes() {
        return route.sni();
    }

    /** Event loop: a session of a listener with routes took none, for {@code reason}. */
    public void onSniDefault(SniDefault reason) {
        sniDefaults.incrementAndGet(reason.ordinal());
    }

    /** Any thread: sessions that took no route so far for {@code reason}. */
    public long sniDefaults(SniDefault reason) {
        return sniDefaults.get(reason.ordinal());
    }

    /** Event loop: a connection was turned away by the admission rules. */
    public void onRefused(ListenerAdmission.Refusal reason) {
        refused.incrementAndGet(reason.ordinal());
    }

    /** Any thread: connections turned away so far for {@code reason}. */
    public long refused(ListenerAdmission.Refusal reason) {
        return refused.get(reason.ordinal());
    }

    /** Event loop: a connection was closed because of its PROXY protocol header (or lack of one). */
    public void onProxyRejected(ProxyHeaderParser.Failure reason) {
        proxyRejected.incrementAndGet(reason.ordinal());
    }

    /** Any thread: connections closed so far for {@code reason}. */
    public long proxyRejected(ProxyHeaderParser.Failure reason) {
        return proxyRejected.get(reason.ordinal());
    }

    /** Sessions open on this listener now. */
    public int activeSessions() {
        return active.get();
    }

    ServerSocketChannel channel(int loopIndex) {
        return channels[loopIndex];
    }

    /** Whether loop {@code loopIndex}'s socket is its own (else shared with every loop). */
    boolean ownsChannel(int loopIndex) {
        return loopIndex == 0 || channels[loopIndex] != channels[0];
    }

    void acceptor(int loopIndex, Acceptor acceptor) {
        acceptors[loopIndex] = acceptor;
    }

    /** Event loop, before accepting: takes a session slot, or returns false at max_connections. */
    boolean tryAcquire() {
        int max = route.config().maxConnections();
        if (max <= 0) {
            active.incrementAndGet();
            return true;
        }
        while (true) {
            int current = active.get();
            if (current >= max) {
                return false;
            }
            if (active.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /**
     * Any thread: why this listener is not accepting on some loop now: "limit" (at max_connections),
     * "rate" (above rate_limit: until the next token), "backoff" (accept failed or descriptors ran
     * short: it looks again every 100 ms), or null.
     */
    public String paused() {
        boolean backoff = false;
        boolean rate = false;
        for (Acceptor acceptor : acceptors) {
            if (acceptor != null) {
                if (acceptor.pausedAtLimit()) {
                    return "limit";
                }
                rate |= acceptor.pausedAtRate();
                backoff |= acceptor.backingOff();
            }
        }
        return rate ? "rate" : backoff ? "backoff" : null;
    }

    /** Event loop: a session of this listener ended (or an accept did not happen after all). */
    public void release() {
        int before = active.getAndDecrement();
        int max = route.config().maxConnections();
        if (max > 0 && before >= max) {
            for (Acceptor acceptor : acceptors) {
                if (acceptor != null) {
                    acceptor.resumeIfPausedAtLimit();
                }
            }
        }
    }

    /** Closes the listening sockets; called once every loop has stopped accepting from them. */
    public void closeChannels() {
        closeAll(channels);
    }

    private static void closeAll(ServerSocketChannel[] channels) {
        for (ServerSocketChannel channel : channels) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing a listening socket cannot fail in a way we could act on
                }
            }
        }
    }


    /** {@code host:port} of the bound address, IPv6 in brackets. */
    public String boundAddressText() {
        return Sockets.hostPort(boundAddress);
    }
}
