package lb.control;

import lb.pool.Balancer;
import lb.pool.ClientKey;
import lb.balance.Hashing;
import lb.pool.Backend;
import lb.pool.PoolSnapshot;
import lb.protocol.Reply;
import lb.protocol.Request;

/**
 * Query thread. {@code preview-remove}: for a hashing algorithm, the share of client keys that would
 * move to another backend if the target were removed now: {@value #KEYS} keys spread evenly over
 * the hash space, placed with the current snapshot and with one built without the backend.
 */
final class PreviewRemoveCommand implements Handler<Request.PreviewRemove> {

    static final int KEYS = 100_000;
    private final ControlPlane plane;

    PreviewRemoveCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request.PreviewRemove request, Exchange exchange) {
        Target t = Target.find(plane.state(), request.target());
        exchange.reply(preview(t));
    }

    static Reply.PreviewRemove preview(Target t) {
        PoolSnapshot now = t.pool().snapshot();
        if (!ExplainCommand.DETERMINISTIC.contains(now.algorithm())) {
            return new Reply.PreviewRemove(t.name(), now.algorithm(), false, now.algorithm() + " does not map clients "
                    + "to backends: removing one moves only its own sessions' future picks, spread over the others",
                    null, null, null, null);
        }
        Balancer before = now.detachedBalancer();
        Balancer after = t.pool().without(t.backend()).detachedBalancer();
        int moved = 0;
        int onRemoved = 0;
        for (int i = 0; i < KEYS; i++) {
            long hash = Hashing.mix(i * 0x9E37_79B9_7F4A_7C15L + 1);
            ClientKey key = k -> hash;
            Backend was = before.pick(key, null);
            Backend will = after.pick(key, null);
            if (was == t.backend()) {
                onRemoved++;
            } else if (was != will) {
                moved++;
            }
        }
        return new Reply.PreviewRemove(t.name(), now.algorithm(), true,
                now.algorithm().equals("bounded_load")
                        ? "bounded_load also moves keys as load changes; this is the placement at current load" : null,
                (long) KEYS, share(onRemoved), share(moved), share(onRemoved + moved));
    }

    private static double share(int keys) {
        return Math.round(keys * 10_000.0 / KEYS) / 10_000.0;
    }
}
