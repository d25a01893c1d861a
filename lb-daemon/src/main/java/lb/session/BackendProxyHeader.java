package lb.session;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import lb.config.ProxyProtocolSend;
import lb.proxyproto.ProxyHeaderWriter;

/**
 * Called only on the EventLoop thread that owns the session, whose read buffer it writes in. The
 * PROXY protocol header a session sends its backend first, when the pool asks for one: the client's
 * address, the one it connected to, and (v2) the server name it asked for and the session's id.
 */
final class BackendProxyHeader {

    private BackendProxyHeader() {
    }

    /**
     * The header goes straight to the fresh socket, whose send buffer takes a few hundred bytes
     * whole; were it ever to take less, the session is closed rather than the bytes reordered.
     * Returns false when the session was closed.
     */
    static boolean send(Session session, SocketChannel backendChannel, ProxyProtocolSend version, long nowNs) {
        ByteBuffer out = session.loop.readBuffer();
        out.clear();
        try {
            InetSocketAddress from = (InetSocketAddress) session.clientAddress;
            InetSocketAddress to = session.destination != null ? session.destination
                    : (InetSocketAddress) session.client.getLocalAddress();
            byte[] source = from.getAddress().getAddress();
            byte[] target = to.getAddress().getAddress();
            // One IPv4 and one IPv6 address cannot share a header: it then names no client.
            int length = source.length == target.length ? source.length : 0;
            if (version == ProxyProtocolSend.V1) {
                ProxyHeaderWriter.v1(out, source, target, length, from.getPort(), to.getPort());
            } else {
                byte[] authority = session.sni != null ? session.sni.getBytes(StandardCharsets.US_ASCII) : null;
                ProxyHeaderWriter.v2(out, source, target, length, from.getPort(), to.getPort(), session.id, authority,
                        authority != null ? authority.length : -1);
            }
            out.flip();
            backendChannel.write(out);
        } catch (IOException e) {
            session.close(Termination.BACKEND_RESET);
            return false;
        }
        if (out.hasRemaining()) {
            Session.SETUP_FAILURES.warn(nowNs, session + ": the backend socket took " + out.position()
                    + " of the PROXY header's " + out.limit() + " bytes; closing the session");
            session.close(Termination.INTERNAL_ERROR);
            return false;
        }
        return true;
    }
}
