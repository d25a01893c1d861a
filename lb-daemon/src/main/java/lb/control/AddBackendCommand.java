package lb.control;

import java.net.InetSocketAddress;

import lb.config.Addresses;
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
 * first probe like any other; with {@code slow_start} it ramps like a backend coming back, from now
 * or from that first passing probe: {@link BackendPool#add}). A host name is resolved here, once: a
 * slow resolver delays other changes, which must stay in order anyway, but never the admin socket
 * or queries.
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
        InetSocketAddress address;
        try {
            address = Addresses.backend(request.address());
        } catch (IllegalArgumentException e) {
            throw RefusedException.badRequest(e.getMessage());
        }
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
}
