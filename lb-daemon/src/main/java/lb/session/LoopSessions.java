package lb.session;

import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.function.Predicate;

import lb.listen.Listener;
import lb.listen.SessionOpener;
import lb.loop.EventLoop;
import lb.pool.Backend;
import lb.proxyproto.ProxyHeader;
import lb.tls.ClientHello;

/**
 * Owned by one EventLoop thread; {@link #size()} may be read by any thread. The open sessions of
 * one loop, as an intrusive list (sessions carry their own links), so adding and removing allocate
 * nothing and shutdown can reach every session.
 */
public final class LoopSessions implements SessionOpener {

    private final StatsRing ring;
    // Where this loop's sessions parse PROXY protocol headers, one at a time.
    private final ProxyHeader proxyHeader = new ProxyHeader();
    // Where this loop's sessions parse ClientHellos, one at a time.
    private final ClientHello clientHello = new ClientHello();
    private final boolean countTraffic;
    private Session head;
    // Sessions this loop has opened: with the loop's index, the next session's id.
    private long issued;
    // Written only by the owning loop; volatile so that other threads can read a recent count.
    private volatile int size;

    /**
     * @param ring         where this loop's sessions publish their end (stats, access log), or null
     *                     when neither is wanted
     * @param countTraffic whether sessions add their bytes to listener and backend counters
     */
    public LoopSessions(StatsRing ring, boolean countTraffic) {
        this.ring = ring;
        this.countTraffic = countTraffic;
    }

    /** Without stats or access log (tests). */
    public LoopSessions() {
        this(null, false);
    }

    ClientHello clientHello() {
        return clientHello;
    }

    ProxyHeader proxyHeader() {
        return proxyHeader;
    }

    StatsRing ring() {
        return ring;
    }

    @Override
    public void open(EventLoop loop, Listener listener, SocketChannel client, long nowNs) {
        Session.open(loop, listener, this, client, nowNs);
    }

    /** Whether sessions count their traffic (the {@code stats} setting). */
    @Override
    public boolean countsTraffic() {
        return countTraffic;
    }

    /** Any thread: sessions open on this loop now. */
    public int size() {
        return size;
    }

    void add(Session session) {
        // Loop index in the low byte (at most 256 loops), so ids from different loops never meet.
        session.id = (++issued << 8) | session.loopIndex();
        session.listNext = head;
        session.listPrev = null;
        if (head != null) {
            head.listPrev = session;
        }
        head = session;
        size = size + 1;
    }

    void remove(Session session) {
        if (session.listPrev != null) {
            session.listPrev.listNext = session.listNext;
        } else if (head == session) {
            head = session.listNext;
        } else {
            return; // not in the list
        }
        if (session.listNext != null) {
            session.listNext.listPrev = session.listPrev;
        }
        session.listPrev = null;
        session.listNext = null;
        size = size - 1;
    }

    /** Closes every session placed on {@code backend} with {@code cause}; returns how many. */
    public int closeOn(Backend backend, Termination cause) {
        return kill(s -> s.backend() == backend, cause);
    }

    /**
     * Resets the sessions {@code which} selects (their end: {@code cause}); returns how many. Up to
     * the whole list in one pass: a kill is an operator's rare act.
     */
    public int kill(Predicate<Session> which, Termination cause) {
        int closed = 0;
        Session s = head;
        while (s != null) {
            Session next = s.listNext; // closing unlinks s
            if (which.test(s)) {
                s.close(cause);
                closed++;
            }
            s = next;
        }
        return closed;
    }

    /**
     * Adds a copy of up to {@code limit} sessions (those on {@code backend}, or all when it is
     * null) to {@code into}; returns how many matched in all.
     */
    public int list(Backend backend, int limit, List<SessionInfo> into, long nowNs) {
        int matched = 0;
        for (Session s = head; s != null; s = s.listNext) {
            if (backend == null || s.backend() == backend) {
                if (matched < limit) {
                    into.add(s.info(nowNs));
                }
                matched++;
            }
        }
        return matched;
    }

    /** Closes every session with {@code cause}. */
    public void closeAll(Termination cause) {
        while (head != null) {
            head.close(cause);
        }
    }
}
