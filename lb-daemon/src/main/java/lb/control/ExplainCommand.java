package lb.control;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import lb.pool.ClientKey;
import lb.config.HashKey;
import lb.config.Tiers;
import lb.balance.Hashing;
import lb.listen.Listener;
import lb.listen.SniRoutes;
import lb.pool.AdminState;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.HealthState;
import lb.pool.PoolSnapshot;
import lb.protocol.Json;
import lb.protocol.RefusedException;
import lb.protocol.Reply;
import lb.protocol.Request;

/**
 * Query thread. {@code explain}: which backend a new session from a client ("ip" or "ip:port", IPv6
 * in brackets with a port) on a listener (optional when there is one) would get now, and why.
 */
final class ExplainCommand implements Handler<Request.Explain> {

    /** The algorithms that map a client to a backend (the others depend on the loop and on load). */
    static final Set<String> DETERMINISTIC = Set.of("source_hash", "ring_hash", "maglev", "bounded_load");

    private final ControlPlane plane;

    ExplainCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request.Explain request, Exchange exchange) {
        Listener listener = listener(plane.state().listeners(), request.listener());
        ClientAddress client = ClientAddress.parse(request.client());
        byte[] ip = client.ip().getAddress();
        int port = client.port();
        BackendPool pool = listener.pool();
        String route = null;
        SniRoutes routes = listener.sniRoutes();
        if (request.sni() != null && routes == null) {
            throw RefusedException.badRequest("listener " + listener.name() + " has no routes by server name: leave out "
                    + "--sni");
        }
        if (routes != null) {
            String name = request.sni() == null ? null : request.sni().toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
            byte[] bytes = name == null ? null : name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            SniRoutes.Target target = routes.match(bytes, bytes == null ? 0 : bytes.length, null);
            route = target != null ? target.name() : "(none)";
            if (target != null) {
                pool = target.pool();
            } else if (pool == null) {
                exchange.reply(new Reply.Explain(listener.name(), null, null, List.of(), false, "no route takes "
                        + (name == null ? "a client without a server name" : name) + " and the listener has no default "
                        + "pool: such a session is reset", null, null, null, null, null, route));
                return;
            }
        }
        PoolSnapshot snapshot = pool.snapshot();
        List<String> skipped = new ArrayList<>();
        for (Backend b : snapshot.backends()) {
            if (!b.isEligible()) {
                skipped.add(b.name() + " (" + whyIneligible(b) + ")");
            }
        }
        String[] tier = tier(snapshot);
        if (!DETERMINISTIC.contains(snapshot.algorithm())) {
            exchange.reply(new Reply.Explain(listener.name(), pool.name(), snapshot.algorithm(), skipped, false,
                    snapshot.algorithm() + " does not map clients to backends: the next pick depends on the loop that "
                            + "accepts the connection and on current state, not on the client",
                    null, null, null, null, null, route, tier[0], tier[1]));
            return;
        }
        HashKey hashKey = snapshot.options().hashKey();
        if (hashKey == HashKey.CLIENT_IP_PORT && port < 0) {
            throw RefusedException.badRequest("this pool hashes client_ip_port: give ip:port");
        }
        long ipHash = Hashing.address(ip, -1);
        long ipPortHash = Hashing.address(ip, Math.max(port, 0));
        ClientKey key = k -> k == HashKey.CLIENT_IP ? ipHash : ipPortHash;
        long hash = key.clientHash(hashKey);
        Backend picked = snapshot.detachedBalancer().pick(key, null);
        exchange.reply(new Reply.Explain(listener.name(), pool.name(), snapshot.algorithm(), skipped, true, null,
                hashKey.configName(), String.format("%016x", hash),
                snapshot.algorithm().equals("maglev") ? Long.remainderUnsigned(hash, snapshot.options().maglevTableSize())
                        : null,
                picked == null ? null : picked.name(), snapshot.options().hashFallback().configName(), route, tier[0],
                tier[1]));
    }

    /**
     * In a pool with more than one tier: the tier a new session goes to now and why; nulls in a pool
     * of one tier. The same choice as the loops' balancer makes ({@link PoolSnapshot#servingTier}).
     */
    private static String[] tier(PoolSnapshot snapshot) {
        int[] tiers = snapshot.tiers();
        if (tiers.length <= 1) {
            return new String[2];
        }
        int serving = snapshot.servingTier(null);
        List<String> better = new ArrayList<>();
        for (int t : tiers) {
            if (t == serving) {
                break;
            }
            better.add(Tiers.describe(t));
        }
        if (serving == PoolSnapshot.NO_TIER) {
            return new String[] {null, "no backend of any tier (" + String.join(", ", better) + ") can take a session"};
        }
        List<String> worse = new ArrayList<>();
        for (int t : tiers) {
            if (t > serving) {
                worse.add(Tiers.describe(t));
            }
        }
        String note = better.isEmpty() ? "the best tier has an eligible backend"
                : "no backend of tier " + String.join(", ", better) + " is eligible";
        return new String[] {Tiers.describe(serving), note + (worse.isEmpty() ? "" : "; tier "
                + String.join(", ", worse) + " unused while it has one")};
    }

    private static Listener listener(Map<String, Listener> listeners, String name) {
        if (name == null) {
            if (listeners.size() != 1) {
                throw RefusedException.badRequest("\"listener\" is needed: there are " + listeners.size() + " ("
                        + String.join(", ", listeners.keySet()) + ")");
            }
            return listeners.values().iterator().next();
        }
        Listener listener = listeners.get(name);
        if (listener == null) {
            throw RefusedException.notFound("no listener named " + Json.write(name) + " (listeners: "
                    + String.join(", ", listeners.keySet()) + ")");
        }
        return listener;
    }

    private static String whyIneligible(Backend b) {
        if (b.adminState() != AdminState.ACTIVE) {
            return b.adminState().name().toLowerCase(Locale.ROOT);
        }
        if (b.weight() <= 0) {
            return "weight 0";
        }
        if (b.healthState() != HealthState.UP) {
            return "down";
        }
        if (b.isEjected()) {
            return "ejected";
        }
        return "at max_connections";
    }
}
