package lb.session;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.Arrays;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.config.ProxyProtocolAccept;
import lb.listen.Listener;
import lb.listen.ListenerAdmission;
import lb.listen.SniRoutes;
import lb.log.RateLimitedLog;
import lb.loop.Sockets;
import lb.proxyproto.ProxyHeader;
import lb.proxyproto.ProxyHeaderParser;
import lb.tls.ClientHello;
import lb.tls.ClientHelloParser;

/**
 * Owned by the EventLoop thread that owns its session. What a session does between accept and its
 * first backend connect when its listener takes a PROXY protocol header, routes by the server name
 * of a TLS ClientHello, or both: it reads the client (relaying nothing yet) until the header has
 * said who the client is, then until the ClientHello has said which pool it goes to.
 *
 * <p>Its two phases are the session's states {@code READING_PROXY_HEADER} and
 * {@code READING_CLIENT_HELLO}: while in them, Session hands the client's readiness and its timer
 * here. Each phase ends by closing the session, or by setting it back to {@code CONNECTING} (the
 * client unread until the backend is connected, as for any session) and going on to the next
 * phase or the first connect.
 *
 * <p>Made only for sessions on such listeners, once for both phases, so a session on a plain
 * listener allocates nothing for it.
 */
final class Preamble {

    // Session's logger: these lines name it, as they did when this code was part of Session.
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    // A peer sending bad PROXY headers may do so on every connection: one line per 10 s for all.
    private static final RateLimitedLog PROXY_FAILURES = new RateLimitedLog(LOG, 10_000_000_000L);

    private final Session session;
    // While reading a PROXY protocol header: which versions, and what came so far when it came in pieces.
    private ProxyHeaderParser.Accept headerVersions;
    private ByteBuffer headerSoFar;
    // With routes by server name: the routes.
    private SniRoutes sniRoutes;

    Preamble(Session session) {
        this.session = session;
    }

    /**
     * The listener takes a PROXY protocol header first: from a trusted peer only; read it before
     * anything else happens (no backend is picked until the client's address is known).
     */
    void awaitProxyHeader(ProxyProtocolAccept proxy, long nowNs) {
        if (!proxy.trusts(((InetSocketAddress) session.clientAddress).getAddress().getAddress())) {
            rejectProxyHeader(ProxyHeaderParser.Failure.UNTRUSTED, nowNs);
            return;
        }
        session.state = Session.READING_PROXY_HEADER;
        headerVersions = proxy.versions();
        session.loop.timers().schedule(session, nowNs + proxy.timeout().toNanos());
        readProxyHeader(nowNs); // usually here already: the peer sends it right after its connect
        if (session.state == Session.READING_PROXY_HEADER) {
            session.clientOps = SelectionKey.OP_READ;
            session.clientKey.interestOps(session.clientOps);
        }
    }

    /**
     * Client readable while its PROXY header is incomplete. Most headers come in one read, parsed
     * straight from the loop's buffer; one that comes in pieces is gathered in a small array of its
     * own. Client bytes read past the header are kept for the backend, which gets them first.
     */
    void readProxyHeader(long nowNs) {
        ByteBuffer read = session.loop.readBuffer();
        read.clear();
        if (headerSoFar != null) {
            read.limit(headerSoFar.remaining()); // never more than a header can be: the rest stays in the kernel
        }
        int n;
        try {
            n = session.client.read(read);
        } catch (IOException e) {
            rejectProxyHeader(ProxyHeaderParser.Failure.CLOSED, nowNs);
            return;
        }
        if (n < 0) {
            rejectProxyHeader(ProxyHeaderParser.Failure.CLOSED, nowNs);
            return;
        }
        if (n == 0) {
            return;
        }
        read.flip();
        ByteBuffer in = read;
        if (headerSoFar != null) {
            in = headerSoFar.put(read).flip();
        }
        ProxyHeader header = session.sessions.proxyHeader();
        int result = ProxyHeaderParser.parse(in, headerVersions, header);
        if (result == ProxyHeaderParser.NEED_MORE) {
            // The parser asks for more only while fewer than MAX_LENGTH bytes came: they fit.
            if (headerSoFar == null) {
                headerSoFar = ByteBuffer.allocate(ProxyHeaderParser.MAX_LENGTH).put(in);
            } else {
                headerSoFar.position(headerSoFar.limit()).limit(headerSoFar.capacity());
            }
            return;
        }
        if (result < 0) {
            rejectProxyHeader(ProxyHeaderParser.failure(result), nowNs);
            return;
        }
        if (header.hasAddresses()) {
            try {
                session.clientAddress = new InetSocketAddress(InetAddress.getByAddress(
                        Arrays.copyOf(header.source(), header.addressLength())), header.sourcePort());
                session.destination = new InetSocketAddress(InetAddress.getByAddress(
                        Arrays.copyOf(header.destination(), header.addressLength())), header.destinationPort());
            } catch (UnknownHostException e) {
                throw new IllegalStateException("the parser gave an address of " + header.addressLength() + " bytes", e);
            }
        } // LOCAL, UNKNOWN: the connection is the peer's own (a health check), its addresses stand
        in.position(in.position() + result);
        headerSoFar = null;
        Listener listener = session.listener;
        ListenerAdmission rules = listener.admission();
        if (rules != null && rules.checksSources()) {
            int slot = rules.admit(((InetSocketAddress) session.clientAddress).getAddress().getAddress(), nowNs);
            if (ListenerAdmission.isRefusal(slot)) {
                listener.onRefused(ListenerAdmission.refusal(slot));
                Session.logRefusal(listener, ListenerAdmission.refusal(slot), nowNs);
                session.close(Termination.REFUSED);
                return;
            }
            session.admission = rules;
            session.sourceSlot = slot;
        }
        session.loop.timers().cancel(session);
        session.state = Session.CONNECTING;
        session.clientOps = 0;
        session.clientKey.interestOps(0); // until the backend is connected, as for any session
        if (in.hasRemaining() && !session.upstream.preload(in)) {
            return; // no buffer for them: closed
        }
        session.start(nowNs);
    }

    void rejectProxyHeader(ProxyHeaderParser.Failure reason, long nowNs) {
        Listener listener = session.listener;
        listener.onProxyRejected(reason);
        if (PROXY_FAILURES.shouldLog(nowNs)) { // a peer may send bad headers in a flood: built only when written
            LOG.warn("listener {}: closed the connection from {}: PROXY protocol header {}; {} more not logged since "
                    + "the last line", listener.name(), Sockets.plainHostPort(session.clientAddress), reason.label(),
                    PROXY_FAILURES.takeSuppressed());
        }
        session.close(Termination.PROXY_REJECTED);
    }

    /**
     * Reads the client's first bytes, without relaying them yet, until they hold its whole
     * ClientHello (or clearly never will), to pick the pool by the server name it asks for. The
     * bytes go into a pooled buffer that the backend then gets first, unchanged.
     */
    void awaitClientHello(SniRoutes routes, long nowNs) {
        if (!session.upstream.beginAhead()) {
            return; // no buffer: closed
        }
        sniRoutes = routes;
        session.state = Session.READING_CLIENT_HELLO;
        session.loop.timers().schedule(session, nowNs + routes.clientHelloTimeoutNs());
        readClientHello(nowNs, true); // usually here already, sent right after the connect
        if (session.state == Session.READING_CLIENT_HELLO) {
            session.clientOps = SelectionKey.OP_READ;
            session.clientKey.interestOps(session.clientOps);
        }
    }

    /** {@code first}: right after the bytes that came with a PROXY header, which may hold it all. */
    void readClientHello(long nowNs, boolean first) {
        Relay upstream = session.upstream;
        ByteBuffer ahead = upstream.ahead();
        int max = Math.min(ahead.capacity(), sniRoutes.clientHelloMax());
        int n = 0;
        if (ahead.position() < max) {
            try {
                n = upstream.readAhead(session.client, max);
            } catch (IOException e) {
                session.close(Termination.CLIENT_RESET);
                return;
            }
        }
        if (n < 0 && ahead.position() == 0) {
            session.listener.onSniDefault(Listener.SniDefault.CLOSED);
            session.close(Termination.COMPLETED); // gone before a byte: nothing to deliver anywhere
            return;
        }
        if (n == 0 && ahead.position() < max && !first) {
            return; // a spurious wake-up, or the bytes are still on their way
        }
        ClientHello hello = session.sessions.clientHello();
        int end = ahead.position();
        ahead.flip();
        int result = ClientHelloParser.parse(ahead, hello);
        ahead.limit(ahead.capacity()).position(end);
        if (result == ClientHelloParser.NEED_MORE && n >= 0 && end < max) {
            return;
        }
        if (n < 0) {
            upstream.sourceEndedEarly(); // the backend gets what came, then the FIN
        }
        if (result > 0) {
            SniRoutes.Target target = sniRoutes.match(hello);
            if (hello.hasServerName()) {
                session.sni = hello.serverNameString(); // once per session, for the access log
            }
            route(target, target != null ? null : hello.hasServerName() ? Listener.SniDefault.NO_MATCH
                    : Listener.SniDefault.NO_SNI, nowNs);
        } else if (result == ClientHelloParser.NEED_MORE) {
            route(null, n < 0 ? Listener.SniDefault.CLOSED : Listener.SniDefault.TOO_LONG, nowNs);
        } else {
            ClientHelloParser.Failure f = ClientHelloParser.failure(result);
            route(null, f == ClientHelloParser.Failure.NOT_TLS || f == ClientHelloParser.Failure.SSL2
                    ? Listener.SniDefault.NOT_TLS : Listener.SniDefault.MALFORMED, nowNs);
        }
    }

    /**
     * Inspection is over: the session goes to {@code target}'s pool, or (null) to the listener's
     * default pool for {@code why}, or is reset when the listener has none.
     */
    void route(SniRoutes.Target target, Listener.SniDefault why, long nowNs) {
        session.loop.timers().cancel(session);
        session.upstream.endAhead();
        if (target != null) {
            session.routed = target;
            target.onRouted();
        } else {
            session.listener.onSniDefault(why);
            if (session.listener.pool() == null) {
                session.close(Termination.NO_ROUTE);
                return;
            }
        }
        session.state = Session.CONNECTING;
        session.clientOps = 0;
        session.clientKey.interestOps(0);
        session.connectNext(null, nowNs);
    }
}
