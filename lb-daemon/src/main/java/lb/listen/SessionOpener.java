package lb.listen;

import java.nio.channels.SocketChannel;

import lb.loop.EventLoop;

/**
 * Owned by one EventLoop thread. Where an {@link Acceptor} hands each client it accepted: the
 * session layer above ({@code lb.session.LoopSessions}, one per loop) starts a session for it on
 * the same loop. An interface here so that listeners, below sessions, never name one.
 */
public interface SessionOpener {

    /**
     * Starts a session for a freshly accepted {@code client} on {@code loop}; the listener slot was
     * already taken. On any failure the client is closed and the slot given back; never throws.
     */
    void open(EventLoop loop, Listener listener, SocketChannel client, long nowNs);

    /** Whether sessions count their traffic (the {@code stats} setting); accepts are counted with it. */
    boolean countsTraffic();
}
