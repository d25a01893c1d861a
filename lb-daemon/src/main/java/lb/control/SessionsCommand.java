package lb.control;

import java.util.ArrayList;
import java.util.List;

import lb.pool.Backend;
import lb.protocol.ErrorCode;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.session.SessionInfo;

/** Query thread. {@code sessions}: open sessions, oldest first, as each loop lists its own. */
final class SessionsCommand implements Handler<Request.Sessions> {

    private final ControlPlane plane;

    SessionsCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request.Sessions request, Exchange exchange) {
        Backend backend = request.target() == null ? null : Target.find(plane.state(), request.target()).backend();
        plane.loops().sessions(backend, request.limit().intValue()).whenComplete((list, failure) -> {
            if (failure != null) {
                exchange.refuse(ErrorCode.UNAVAILABLE, "sessions not available: " + failure.getMessage());
                return;
            }
            List<Reply.SessionEntry> entries = new ArrayList<>();
            for (SessionInfo s : list.sessions()) {
                entries.add(new Reply.SessionEntry(s.id(), s.client(), s.listener(), s.backend(), s.ageMs(), s.up(), s.down()));
            }
            exchange.reply(new Reply.Sessions(list.matched(), entries));
        });
    }
}
