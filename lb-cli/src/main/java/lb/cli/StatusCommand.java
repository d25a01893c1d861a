package lb.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import lb.protocol.Reply;
import lb.protocol.Request;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** Main thread only. {@code lb-cli status}: listeners, pools and each backend's state and sessions. */
@Command(description = "Listeners, pools and backends: weight, state, health, sessions.")
final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    LbCli root;

    @Override
    public Integer call() {
        return root.request(new Request.Status(), Reply.Status.class, StatusCommand::print);
    }

    private static void print(Reply.Status result, PrintWriter out) {
        out.println("lb-daemon " + result.version() + ", up " + duration(result.uptimeMs())
                + (result.pid() != null ? ", pid " + result.pid() : ""));
        if (result.stateFileError() != null) {
            out.println("STATE FILE NOT WRITTEN since " + java.time.Instant.ofEpochMilli(result.stateFileErrorSinceMs())
                    + ": " + result.stateFileError());
        }
        if (result.tcpMigrateReq() != null && result.tcpMigrateReq() == 0) {
            out.println("net.ipv4.tcp_migrate_req = 0: an upgrade resets connections still queued on the old process's "
                    + "listeners (systemd/install.sh sets it to 1)");
        }
        out.println();
        Table listeners = new Table("LISTENER", "BIND", "POOL", "ACTIVE", "ACCEPTING");
        for (Reply.ListenerStatus l : result.listeners()) {
            listeners.row(l.name(), l.bind(), l.pool() != null ? l.pool() : "(reject)", l.activeSessions(),
                    l.paused() == null ? "yes" : "limit".equals(l.paused()) ? "no: at max_connections"
                    : "rate".equals(l.paused()) ? "no: above rate_limit" : "no: backing off (" + l.paused() + ")");
        }
        out.print(listeners);
        for (Reply.ListenerStatus l : result.listeners()) {
            if (l.routes() != null && !l.routes().isEmpty()) {
                out.println();
                out.println("listener " + l.name() + " routes by TLS server name (exact names, then wildcards, then "
                        + "ALPN only; each in this order):");
                for (String route : l.routes()) {
                    out.println("  " + route);
                }
                out.println("  otherwise -> " + (l.pool() != null ? l.pool() : "reset (default_pool = \"reject\")"));
            }
        }
        for (Reply.PoolStatus p : result.pools()) {
            out.println();
            // A TIER column only where tiers exist: a backup, or SRV priorities.
            boolean tiered = p.backends().stream().anyMatch(b -> b.tier() != null && !"0".equals(b.tier()));
            out.println("pool " + p.name() + " (" + p.algorithm() + ")"
                    + (tiered ? ", serving tier " + (p.servingTier() != null ? p.servingTier() : "none") : "")
                    + (p.panic() ? "  PANIC: picking among all backends" + (tiered ? " of that tier" : "") : ""));
            Table backends = tiered
                    ? new Table("BACKEND", "ADDRESS", "TIER", "WEIGHT", "EFFECTIVE", "ADMIN", "HEALTH", "EJECTED",
                            "ACTIVE", "TOTAL")
                    : new Table("BACKEND", "ADDRESS", "WEIGHT", "EFFECTIVE", "ADMIN", "HEALTH", "EJECTED", "ACTIVE",
                            "TOTAL");
            for (Reply.BackendStatus b : p.backends()) {
                if (tiered) {
                    backends.row(b.name(), b.address(), b.tier(), b.weight(), b.effectiveWeight(), b.adminState(),
                            b.health(), b.ejected() ? "yes" : "no", b.activeSessions(), b.totalSessions());
                } else {
                    backends.row(b.name(), b.address(), b.weight(), b.effectiveWeight(), b.adminState(), b.health(),
                            b.ejected() ? "yes" : "no", b.activeSessions(), b.totalSessions());
                }
            }
            out.print(backends);
            if (p.discovery() != null) {
                out.println(discovery(p.discovery()));
            }
        }
    }

    /** One or two lines on a pool's DNS discovery. */
    static String discovery(Reply.DiscoveryStatus d) {
        StringBuilder line = new StringBuilder("discovery: " + d.type() + " " + d.name() + " via "
                + String.join(", ", d.resolvers()) + ", refresh " + d.refresh() + ": ");
        if (d.failing() != null) {
            line.append("FAILING (").append(d.failing()).append(") since ")
                    .append(java.time.Instant.ofEpochMilli(d.failingSinceMs())).append(", keeping the last good set");
            if (d.backends() >= 0) {
                line.append(" of ").append(d.backends()).append(" backend(s)");
            }
            line.append("; ").append(d.failures()).append(" failed lookup(s) since start\n  ").append(d.detail());
        } else if (d.backends() < 0) {
            line.append("no answer yet");
        } else {
            line.append(d.backends()).append(" backend(s)");
            if (d.failures() > 0) {
                line.append(", ").append(d.failures()).append(" failed lookup(s) since start");
            }
        }
        if (d.leftOut() > 0) {
            line.append("; ").append(d.leftOut()).append(" record(s) left out (max_backends)");
        }
        line.append("; next lookup in ").append(Math.max(0, (d.nextLookupInMs() + 999) / 1000)).append("s");
        return line.toString();
    }

    static String duration(long ms) {
        long s = ms / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + s % 60 + "s";
        }
        if (s < 86_400) {
            return s / 3600 + "h" + s % 3600 / 60 + "m";
        }
        return s / 86_400 + "d" + s % 86_400 / 3600 + "h";
    }
}
