package lb.control;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import lb.config.DiscoveryConfig;
import lb.config.Durations;
import lb.config.Tiers;
import lb.listen.Listener;
import lb.listen.SniRoutes;
import lb.loop.Sockets;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.DiscoveryFailure;
import lb.pool.DiscoveryState;
import lb.pool.PoolSnapshot;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.protocol.Version;

/** Query thread. {@code status}: listeners, pools and backends with their state, read off the snapshots. */
final class StatusCommand implements Handler<Request.Status> {

    private final ControlPlane plane;

    StatusCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request.Status request, Exchange exchange) {
        RunningState state = plane.state();
        List<Reply.ListenerStatus> listeners = new ArrayList<>();
        for (Listener l : state.listeners().values()) {
            List<String> routes = new ArrayList<>();
            SniRoutes sni = l.sniRoutes();
            if (sni != null) {
                for (int i = 0; i < sni.targets().size(); i++) {
                    routes.add(sni.targets().get(i).describe(sni.configs().get(i)));
                }
            }
            listeners.add(new Reply.ListenerStatus(l.name(), l.boundAddressText(), l.pool() != null ? l.pool().name()
                    : null, l.activeSessions(), l.paused(), routes));
        }
        List<Reply.PoolStatus> pools = new ArrayList<>();
        long nowNs = System.nanoTime();
        for (BackendPool pool : state.pools().values()) {
            pools.add(pool(pool, nowNs));
        }
        ControlPlane.StateFileError stateFile = plane.stateFileError();
        exchange.reply(new Reply.Status(Version.text(), (nowNs - plane.startedNs()) / 1_000_000, listeners, pools,
                stateFile == null ? null : stateFile.problem(), stateFile == null ? null : stateFile.sinceMs(),
                ProcessHandle.current().pid(), Sockets.tcpMigrateReq()));
    }

    private static Reply.PoolStatus pool(BackendPool pool, long nowNs) {
        PoolSnapshot snapshot = pool.snapshot();
        List<Reply.BackendStatus> backends = new ArrayList<>();
        for (int i = 0; i < snapshot.size(); i++) {
            Backend b = snapshot.backend(i);
            backends.add(new Reply.BackendStatus(b.name(), Sockets.plainHostPort(b.address()), b.weight(),
                    // On the configured scale, to two decimals (slow start ramps it).
                    Math.round(b.effectiveWeight(nowNs) * 100.0 / Backend.WEIGHT_UNIT) / 100.0,
                    b.adminState().name().toLowerCase(Locale.ROOT), b.healthState().name().toLowerCase(Locale.ROOT),
                    b.isEjected(), b.activeSessions(), b.totalSessions(), b.connectFailures(), b.maxConnections(),
                    Tiers.describe(snapshot.tier(i))));
        }
        int serving = snapshot.servingTier(null);
        return new Reply.PoolStatus(pool.name(), snapshot.algorithm(), pool.poolHealth().panic(),
                pool.sessionsRefused(), backends, serving == PoolSnapshot.NO_TIER ? null : Tiers.describe(serving),
                discovery(pool));
    }

    private static Reply.DiscoveryStatus discovery(BackendPool pool) {
        DiscoveryConfig config = pool.discovery();
        if (config == null) {
            return null;
        }
        DiscoveryState s = pool.discoveryState();
        List<String> resolvers = new ArrayList<>();
        for (InetSocketAddress resolver : config.resolvers()) {
            resolvers.add(Sockets.hostPort(resolver));
        }
        String refresh = config.followsTtl() ? "ttl " + Durations.format(config.minRefresh()) + ".."
                + Durations.format(config.maxRefresh()) : Durations.format(config.refresh());
        DiscoveryFailure failing = s.failing();
        return new Reply.DiscoveryStatus(config.name(), config.type().configName(), resolvers, refresh,
                failing == null ? null : failing.label(), failing == null ? null : s.failingDetail(),
                failing == null ? null : s.failingSinceMs(), s.lastSuccessMs() == 0 ? null : s.lastSuccessMs(),
                s.answered(), s.leftOut(), s.failures(), Math.max(0, s.nextLookupMs() - System.currentTimeMillis()));
    }
}
