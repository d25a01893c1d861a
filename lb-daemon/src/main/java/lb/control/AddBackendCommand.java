package lb.control;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import lb.config.BackendConfig;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.protocol.Command;
import lb.protocol.ErrorCode;
import lb.protocol.Json;
import lb.protocol.RefusedException;
import lb.protocol.Request;

/**
 * Control thread. {@code add-backend}: a new backend in a pool (with active checks it waits for its
 * first probe like any other). A host name is resolved here, once: a slow resolver delays other
 * changes, which must stay in order anyway, but never the admin socket or queries.
 */
final class AddBackendCommand implements Handler<Request.AddBackend> {

    private final ControlPlane plane;

    AddBackendCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request.AddBackend request, Exchange exchange) {
        BackendPool pool = plane.state().pools().get(request.pool());
        if (pool == null) {
            throw RefusedException.notFound("no pool named " + Json.write(request.pool()) + " (pools: "
                    + String.join(", ", plane.state().pools().keySet()) + ")");
        }
        InetSocketAddress address = hostPort(request.address());
        Backend added;
        try {
            added = pool.add(new BackendConfig(request.name(), address, request.weight().intValue()));
        } catch (IllegalArgumentException e) {
            throw new RefusedException(ErrorCode.CONFLICT, e.getMessage());
        }
        Target t = new Target(pool, added);
        exchange.reply(BackendChange.done(plane, exchange, Command.ADD_BACKEND, t, "absent -> " + request.address()
                + " weight " + request.weight()));
    }

    private static InetSocketAddress hostPort(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            port = -1;
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw RefusedException.badRequest(Json.write(text) + " is not host:port with a port 1..65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw RefusedException.badRequest("cannot resolve " + Json.write(host));
        }
    }
}
