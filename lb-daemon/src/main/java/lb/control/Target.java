package lb.control;

import java.util.List;
import java.util.Locale;

import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.protocol.RefusedException;
import lb.protocol.Reply;

/**
 * Any thread (immutable). The pool and backend a request's {@code "pool/backend"} names, found in
 * the pools as they are now.
 */
record Target(BackendPool pool, Backend backend) {

    /** @throws RefusedException NOT_FOUND, naming what there is */
    static Target find(RunningState state, String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw RefusedException.badRequest("\"" + text + "\" is not pool/backend");
        }
        String poolName = text.substring(0, slash);
        String backendName = text.substring(slash + 1);
        BackendPool pool = state.pools().get(poolName);
        if (pool == null) {
            throw RefusedException.notFound("no pool named \"" + poolName + "\" (pools: "
                    + String.join(", ", state.pools().keySet()) + ")");
        }
        List<Backend> backends = pool.snapshot().backends();
        for (Backend b : backends) {
            if (b.name().equals(backendName)) {
                return new Target(pool, b);
            }
        }
        throw RefusedException.notFound("no backend named \"" + backendName + "\" in pool " + poolName
                + " (backends: " + String.join(", ", backends.stream().map(Backend::name).toList()) + ")");
    }

    String name() {
        return pool.name() + "/" + backend.name();
    }

    /** The backend's state now, as the backend commands reply. */
    Reply.Backend state() {
        return new Reply.Backend(name(), backend.adminState().name().toLowerCase(Locale.ROOT), backend.weight(),
                backend.activeSessions());
    }
}
