package lb.control;

import lb.pool.AdminState;
import lb.protocol.Request;

/** Control thread. {@code undrain} and {@code enable}: the backend is back in rotation. */
final class ActivateCommand implements Handler<Request> {

    private final ControlPlane plane;

    ActivateCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request request, Exchange exchange) {
        String target = request instanceof Request.Undrain u ? u.target() : ((Request.Enable) request).target();
        Target t = Target.find(plane.state(), target);
        AdminState before = t.backend().adminState();
        t.backend().adminState(AdminState.ACTIVE);
        exchange.reply(BackendChange.done(plane, exchange, request.command(), t, "admin_state "
                + BackendChange.name(before) + " -> active"));
    }
}
