package lb.control;

import lb.pool.AdminState;
import lb.protocol.Command;
import lb.protocol.ErrorCode;
import lb.protocol.Reply;
import lb.protocol.Request;

/**
 * Control thread. {@code disable}: no new sessions, and the open ones are closed (reset), at once or
 * after {@code grace_ms} (they get the grace to end by themselves, then the rest are reset).
 */
final class DisableCommand implements Handler<Request.Disable> {

    private final ControlPlane plane;

    DisableCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request.Disable request, Exchange exchange) {
        Target t = Target.find(plane.state(), request.target());
        AdminState before = t.backend().adminState();
        t.backend().adminState(AdminState.DISABLED);
        Reply.Backend state = BackendChange.done(plane, exchange, Command.DISABLE, t, "admin_state "
                + BackendChange.name(before) + " -> disabled");
        if (request.graceMs() > 0) {
            DrainWait.start(plane, t, exchange, Command.DISABLE, request.graceMs(), Request.Drain.Then.CLOSE, false,
                    state.warning());
            return;
        }
        plane.thenOnControl(plane.loops().closeSessionsOn(t.backend()), (closed, failure) -> {
            if (failure != null) {
                exchange.refuse(ErrorCode.UNAVAILABLE, "disabled, but closing its sessions failed: "
                        + failure.getMessage());
                return;
            }
            Reply.Backend now = t.state();
            exchange.reply(new Reply.Backend(now.target(), now.adminState(), now.weight(), now.activeSessions(),
                    null, state.warning(), null, null, null, closed));
        });
    }
}
