package lb.control;

import java.util.List;
import java.util.Map;

import lb.config.Config;
import lb.protocol.RefusedException;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.state.RuntimeState;

/**
 * Query thread. {@code diff}: the journaled runtime changes, and what a reload of the file as it is
 * now would change (or why it would be refused).
 */
final class DiffCommand implements Handler<Request.Diff> {

    private final ControlPlane plane;

    DiffCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request.Diff request, Exchange exchange) {
        Config current = plane.state().config();
        String file = current.source().orElseThrow(() -> new RefusedException(lb.protocol.ErrorCode.REFUSED,
                "no config file to compare with (started with --listen or --demo)")).toString();
        List<Map<String, Object>> runtime = RuntimeState.capture(current, plane.state().pools()).stream()
                .map(c -> c.toJson()).toList();
        List<String> fileChanges = null;
        String fileError = null;
        try {
            fileChanges = ConfigDiff.between(current, plane.reload().loadFile());
        } catch (RefusedException e) {
            fileError = e.getMessage();
        }
        exchange.reply(new Reply.Diff(file, runtime, fileChanges, fileError));
    }
}
