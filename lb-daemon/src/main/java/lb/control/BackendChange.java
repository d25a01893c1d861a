package lb.control;

import java.util.Locale;

import lb.pool.AdminState;
import lb.protocol.Command;
import lb.protocol.Reply;

/**
 * Control thread only. What every command that changes one backend does after the change: one audit
 * line (before -> after, who asked), the state journal, and the reply with the backend's state.
 */
final class BackendChange {

    private BackendChange() {
    }

    static String name(AdminState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    /** Audits and journals a change of {@code target}; returns the reply (with a warning if not journaled). */
    static Reply.Backend done(ControlPlane plane, Exchange exchange, Command command, Target target, String change) {
        plane.audit(exchange.caller(), command, target.name(), change);
        String warning = plane.journal();
        return target.state().withWarning(warning);
    }
}
