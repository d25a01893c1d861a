package lb.listen;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.admission.ListenerRateLimit;
import lb.log.RateLimitedLog;
import lb.loop.EventLoop;
import lb.loop.KeyHandler;
import lb.loop.TimerWheel;

/**
 * Owned by one EventLoop thread, except {@link #resumeIfPausedAtLimit()} (any thread). Accepts
 * from one listener's socket on one loop and hands each client to that loop's {@link SessionOpener},
 * which starts its session right there.
 *
 * <p>Stops accepting (interest 0, the kernel backlog holds new clients) while the listener is at
 * {@code max_connections}, and for a short back-off after an accept error such as running out of
 * file descriptors, which would otherwise make the readiness loop spin.
 */
public final class Acceptor extends TimerWheel.Timer implements KeyHandler {

    private static final Logger LOG = LoggerFactory.getLogger(Acceptor.class);
    // Out of descriptors, every acceptor fails every 100 ms until some are freed: a line per 10 s.
    private static final RateLimitedLog ACCEPT_FAILURES = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private static final int MAX_ACCEPTS_PER_EVENT = 64;
    private static final long ACCEPT_ERROR_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(100);
    // What acceptAndOpen did.
    private static final int OPENED = 0;
    private static final int NONE_WAITING = 1;
    private static final int FAILED = 2;

    private final Listener listener;
    private final EventLoop loop;
    private final SessionOpener sessions;
    private final ServerSocketChannel channel;
    private final boolean ownsChannel;
    private final Runnable resumeTask = this::onResumeAtLimit;
    private final AtomicBoolean resumeQueued = new AtomicBoolean();
    // Written by the loop, read by threads releasing sessions: the Dekker pair with Listener.active.
    private volatile boolean pausedAtLimit;
    private SelectionKey key;
    // Loop thread: the last accept's failure, for acceptAndOpen's caller.
    private IOException acceptFailure;
    // Written by the loop (after an accept failure, or short of descriptors), read by the stats thread.
    private volatile boolean backingOff;
    // Written by the loop (above the listener's rate_limit until the next token), read by the stats thread.
    private volatile boolean pausedAtRate;
    private boolean closed;

    private Acceptor(Listener listener, EventLoop loop, SessionOpener sessions) {
        this.listener = listener;
        this.loop = loop;
        this.sessions = sessions;
        this.channel = listener.channel(loop.index());
        this.ownsChannel = listener.ownsChannel(loop.index());
    }

    /** Before the loop starts, or on the loop: registers the listener's socket with this loop. */
    public static Acceptor register(Listener listener, EventLoop loop, SessionOpener sessions) throws ClosedChannelException {
        Acceptor acceptor = new Acceptor(listener, loop, sessions);
        acceptor.key = acceptor.channel.register(loop.selector(), SelectionKey.OP_ACCEPT, acceptor);
        listener.acceptor(loop.index(), acceptor);
        return acceptor;
    }

    public Listener listener() {
        return listener;
    }

    /** Any thread: this loop stopped accepting because the listener is at max_connections. */
    public boolean pausedAtLimit() {
        return pausedAtLimit;
    }

    /** Any thread: this loop stopped accepting until the listener's rate limit has a token again. */
    public boolean pausedAtRate() {
        return pausedAtRate;
    }

    /** Any thread: this loop stopped accepting for a while after accept failed or descriptors ran short. */
    public boolean backingOff() {
        return backingOff;
    }

    @Override
    public void onReady(SelectionKey key, long nowNs) {
        for (int i = 0; i < MAX_ACCEPTS_PER_EVENT && !closed; i++) {
            if (loop.descriptorsShort()) {
                holdBack(nowNs); // sessions already accepted wait for a descriptor: they come first
                return;
            }
            ListenerAdmission admission = listener.admission();
            ListenerRateLimit rate = admission != null ? admission.rate() : null;
            if (rate != null && !rate.tryTake(nowNs)) {
                pauseAtRate(rate, nowNs); // the kernel's backlog holds them meanwhile, as HAProxy's rate-limit sessions
                return;
            }
            if (!listener.tryAcquire()) {
                if (rate != null) {
                    rate.giveBack(nowNs);
                }
                pauseAtLimit();
                return;
            }
            int outcome = acceptAndOpen(nowNs);
            if (outcome != OPENED) {
                if (rate != null) {
                    rate.giveBack(nowNs); // the token bought no connection
                }
                if (outcome == FAILED) {
                    backOff(acceptFailure, nowNs);
                }
                return;
            }
        }
    }

    /** Closing: what the kernel queued is accepted and served (up to the backlog), within max_connections. */
    private void acceptQueued(long nowNs) {
        int backlog = listener.config().backlog();
        for (int i = 0; i < backlog && listener.tryAcquire(); i++) {
            if (acceptAndOpen(nowNs) != OPENED) {
                return;
            }
        }
    }

    /**
     * With a listener slot taken: accepts one client and starts its session ({@link #OPENED}), or
     * finds none queued ({@link #NONE_WAITING}), or fails ({@link #FAILED}, the failure in
     * {@link #acceptFailure}); the slot is given back unless a session took it.
     */
    private int acceptAndOpen(long nowNs) {
        SocketChannel client;
        try {
            client = channel.accept();
        } catch (IOException e) {
            listener.release();
            acceptFailure = e;
            return FAILED;
        }
        if (client == null) {
            listener.release(); // another loop won the race, or the backlog is empty
            return NONE_WAITING;
        }
        if (sessions.countsTraffic()) {
            listener.traffic().add(loop.index(), Listener.ACCEPTED, 1);
        }
        sessions.open(loop, listener, client, nowNs);
        return OPENED;
    }

    @Override
    public void onFailure(Throwable cause) {
        // Accepting must go on: the failure was logged by the loop; keep the key as it is.
    }

    private void pauseAtLimit() {
        pausedAtLimit = true;
        setInterest(0);
        // A session may have ended between tryAcquire and the flag: look again, or nobody wakes us.
        if (listener.activeSessions() < listener.config().maxConnections()) {
            onResumeAtLimit();
        }
    }

    /** Any thread: a session ended; if this loop stopped accepting at the limit, let it resume. */
    void resumeIfPausedAtLimit() {
        if (pausedAtLimit && resumeQueued.compareAndSet(false, true)) {
            if (!loop.submit(resumeTask)) {
                resumeQueued.set(false);
            }
        }
    }

    private void onResumeAtLimit() {
        resumeQueued.set(false);
        if (pausedAtLimit) {
            pausedAtLimit = false;
            if (!backingOff && !pausedAtRate) {
                setInterest(SelectionKey.OP_ACCEPT);
            }
        }
    }

    private void pauseAtRate(ListenerRateLimit rate, long nowNs) {
        pausedAtRate = true;
        setInterest(0);
        loop.timers().schedule(this, nowNs + Math.max(1, rate.nanosUntilNextToken(nowNs)));
    }

    /** Out of descriptors: no accept until the loop's waiting sessions have theirs; looks again later. */
    private void holdBack(long nowNs) {
        backingOff = true;
        setInterest(0);
        loop.timers().schedule(this, nowNs + ACCEPT_ERROR_BACKOFF_NS);
    }

    private void backOff(IOException e, long nowNs) {
        ACCEPT_FAILURES.warn(nowNs, "listener " + listener.name() + ": accept failed, pausing "
                + TimeUnit.NANOSECONDS.toMillis(ACCEPT_ERROR_BACKOFF_NS) + " ms: " + e);
        backingOff = true;
        setInterest(0);
        loop.timers().schedule(this, nowNs + ACCEPT_ERROR_BACKOFF_NS);
    }

    @Override
    protected void onTimeout(long nowNs) {
        backingOff = false;
        pausedAtRate = false;
        if (!pausedAtLimit) {
            setInterest(SelectionKey.OP_ACCEPT);
        }
    }

    private void setInterest(int ops) {
        if (!closed && key.isValid()) {
            key.interestOps(ops);
        }
    }

    /**
     * On the loop: stop accepting here; closes the socket if this loop owns it alone. What the
     * kernel already queued on it (handshakes done, up to the backlog) is accepted and served
     * first: closing a listening socket resets its queue, unless the host migrates it to another
     * socket of the group (net.ipv4.tcp_migrate_req, which an upgrade relies on).
     */
    public void close() {
        if (!closed && key.isValid()) {
            acceptQueued(loop.nowNs());
        }
        closed = true;
        loop.timers().cancel(this);
        key.cancel();
        if (ownsChannel) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.warn("listener {}: closing socket: {}", listener.name(), e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "acceptor " + listener.name() + " on " + loop.name();
    }
}
