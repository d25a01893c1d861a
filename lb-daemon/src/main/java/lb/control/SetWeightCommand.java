package lb.control;

import lb.protocol.Command;
import lb.protocol.Request;

/** Control thread. {@code set-weight}: takes effect from the next pick (a new snapshot); 0 = no new sessions. */
final class SetWeightCommand implements Handler<Request.SetWeight> {

    private final ControlPlane plane;

    SetWeightCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request.SetWeight request, Exchange exchange) {
        Target t = Target.find(plane.state(), request.target());
        int before = t.backend().weight();
        t.backend().weight(request.weight().intValue());
        t.pool().republish();
        exchange.reply(BackendChange.done(plane, exchange, Command.SET_WEIGHT, t, "weight " + before + " -> "
                + request.weight()));
    }
}
