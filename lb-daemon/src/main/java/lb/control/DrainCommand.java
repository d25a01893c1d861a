package lb.control;

import lb.pool.AdminState;
import lb.protocol.Command;
import lb.protocol.Request;

/**
 * Control thread. {@code drain}: no new sessions for the backend; open ones continue. With
 * {@code wait}, the reply comes when its sessions have ended ({@link DrainWait}); a drain with
 * {@code then = remove} that ends before its deadline removes the backend too: draining it was the
 * first step of removing it.
 */
final class DrainCommand implements Handler<Request.Drain> {

    private final ControlPlane plane;

    DrainCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request.Drain request, Exchange exchange) {
        Target t = Target.find(plane.state(), request.target());
        AdminState before = t.backend().adminState();
        t.backend().adminState(AdminState.DRAINING);
        var state = BackendChange.done(plane, exchange, Command.DRAIN, t, "admin_state " + BackendChange.name(before)
                + " -> draining");
        if (!request.waits()) {
            exchange.reply(state);
            return;
        }
        DrainWait.start(plane, t, exchange, Command.DRAIN,
                request.deadlineMs() == null ? Long.MAX_VALUE : request.deadlineMs(), request.then(),
                request.then() == Request.Drain.Then.REMOVE, state.warning());
    }
}
