package lb.control;

import java.util.Set;
import java.util.function.Predicate;

import lb.pool.Backend;
import lb.protocol.Command;
import lb.protocol.ErrorCode;
import lb.protocol.Json;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.session.Session;

/**
 * Control thread. {@code kill-session} (HAProxy's {@code shutdown session}): resets the open sessions
 * chosen by id, by client address or by backend, at once, on their own loops; both sides get an RST
 * and the access log says {@code end=killed}. Audited; the reply says how many were reset (0 is
 * not an error: lb-cli turns it into its own exit code).
 */
final class KillSessionCommand implements Handler<Request.KillSession> {

    private final ControlPlane plane;

    KillSessionCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request.KillSession request, Exchange exchange) {
        String what;
        Predicate<Session> which;
        if (request.ids() != null) {
            Set<Long> ids = Set.copyOf(request.ids());
            what = "ids " + request.ids();
            which = s -> ids.contains(s.id());
        } else if (request.client() != null) {
            ClientAddress client = ClientAddress.parse(request.client());
            what = "client " + Json.write(request.client());
            which = s -> client.matches(s.clientAddress());
        } else {
            Backend backend = Target.find(plane.state(), request.target()).backend();
            what = "on " + request.target();
            which = s -> s.backend() == backend;
        }
        plane.thenOnControl(plane.loops().killSessions(what, which), (killed, failure) -> {
            if (failure != null) {
                exchange.refuse(ErrorCode.UNAVAILABLE, "killing sessions failed: " + failure.getMessage());
                return;
            }
            plane.audit(exchange.caller(), Command.KILL_SESSION, what, killed + " session(s) reset");
            exchange.reply(new Reply.KillSession(killed));
        });
    }
}
