package lb.control;

import lb.pool.AdminState;
import lb.protocol.Command;
import lb.protocol.Request;

/**
 * Control thread. {@code remove-backend}: drains the backend, then takes it out of its pool once its
 * sessions have ended, or at {@code timeout_ms} resets those left and takes it out anyway. If the
 * client goes away meanwhile, the removal still happens.
 */
final class RemoveBackendCommand implements Handler<Request.RemoveBackend> {

    private final ControlPlane plane;

    RemoveBackendCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request.RemoveBackend request, Exchange exchange) {
        Target t = Target.find(plane.state(), request.target());
        AdminState before = t.backend().adminState();
        t.backend().adminState(AdminState.DRAINING);
        plane.audit(exchange.caller(), Command.REMOVE_BACKEND, t.name(), "admin_state " + BackendChange.name(before)
                + " -> draining (removal when its sessions end, at most " + request.timeoutMs() + " ms)");
        String notJournaled = plane.journal();
        DrainWait.start(plane, t, exchange, Command.REMOVE_BACKEND, request.timeoutMs(), Request.Drain.Then.CLOSE,
                true, notJournaled);
    }
}
