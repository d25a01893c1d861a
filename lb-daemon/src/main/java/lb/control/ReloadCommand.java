package lb.control;

import java.util.List;

import lb.protocol.Command;
import lb.protocol.RefusedException;
import lb.protocol.Reply;
import lb.protocol.Request;

/** Control thread. {@code reload} (admin socket or SIGHUP): see {@link Reload}. */
final class ReloadCommand implements Handler<Request.Reload> {

    private final ControlPlane plane;

    ReloadCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request.Reload request, Exchange exchange) {
        plane.beforeReload();
        String file = String.valueOf(plane.state().config().source().orElse(null));
        List<String> changes;
        try {
            changes = plane.reload().apply();
        } catch (RefusedException e) {
            plane.audit(exchange.caller(), Command.RELOAD, file, "refused: " + e.getMessage());
            throw e;
        }
        plane.audit(exchange.caller(), Command.RELOAD, file, changes.isEmpty() ? "no change"
                : changes.size() + " change(s): " + String.join("; ", changes));
        exchange.reply(new Reply.Reload(changes));
    }
}
