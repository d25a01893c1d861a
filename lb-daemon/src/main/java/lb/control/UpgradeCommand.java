package lb.control;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.loop.Sockets;
import lb.protocol.Command;
import lb.protocol.ErrorCode;
import lb.protocol.Reply;
import lb.protocol.Request;

/**
 * Control thread only. {@code upgrade}: checks the config file as a start would, starts the new
 * process ({@link Successor}), polls every {@value #POLL_MS} ms until it says it is ready, has
 * died, or the timeout passed. Ready: the reply names both pids, and this process hands over
 * (stops accepting, drains, exits). Otherwise the new process is stopped and this one carries on
 * as before: its listeners were never touched.
 */
final class UpgradeCommand implements Handler<Request.Upgrade> {

    private static final Logger LOG = LoggerFactory.getLogger(UpgradeCommand.class);
    static final long POLL_MS = 20;

    private final ControlPlane plane;
    // Control thread only: the upgrade under way, if any.
    private Successor running;

    UpgradeCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request.Upgrade request, Exchange exchange) {
        UpgradeHooks hooks = plane.upgradeHooks();
        if (hooks == null) {
            exchange.refuse(ErrorCode.REFUSED, "this daemon cannot be upgraded in place (it runs inside a test)");
            return;
        }
        if (running != null || plane.handedOver()) {
            exchange.refuse(ErrorCode.CONFLICT, running != null ? "an upgrade is already under way (new pid "
                    + running.pid() + ")" : "this process has handed over to another and is draining");
            return;
        }
        List<String> problems = hooks.startProblems();
        if (!problems.isEmpty()) {
            exchange.refuse(ErrorCode.REFUSED, "upgrade refused, nothing changed: the new process would not start:\n  "
                    + String.join("\n  ", problems));
            return;
        }
        Long migrate = Sockets.tcpMigrateReq();
        String warning = migrate != null && migrate == 0 ? "net.ipv4.tcp_migrate_req = 0: connections still queued on "
                + "this process's listeners when they close are reset (systemd/install.sh sets it to 1)" : null;
        Successor successor;
        try {
            successor = Successor.start(hooks);
        } catch (IOException e) {
            exchange.refuse(ErrorCode.REFUSED, "upgrade refused, nothing changed: cannot start a new process: "
                    + e.getMessage());
            return;
        }
        running = successor;
        LOG.info("upgrade: started pid {}; waiting up to {} ms for it to be ready", successor.pid(), request.timeoutMs());
        long startNs = System.nanoTime();
        long deadlineNs = startNs + request.timeoutMs() * 1_000_000;
        ScheduledFuture<?>[] polls = new ScheduledFuture<?>[1];
        polls[0] = plane.every(POLL_MS, () -> {
            String failure = null;
            if (successor.ready()) {
                polls[0].cancel(false);
                running = null;
                successor.forget();
                long readyMs = (System.nanoTime() - startNs) / 1_000_000;
                plane.audit(exchange.caller(), Command.UPGRADE, "-", "pid " + ProcessHandle.current().pid() + " -> pid "
                        + successor.pid() + " (ready in " + readyMs + " ms)");
                exchange.reply(new Reply.Upgrade(ProcessHandle.current().pid(), successor.pid(), readyMs,
                        hooks.graceMs(), warning));
                plane.handOver();
                hooks.handOver(successor.pid());
                return;
            }
            Integer status = successor.exitStatus();
            if (status != null) {
                failure = "the new process (pid " + successor.pid() + ") exited with status " + status
                        + " before it was ready (its lines are in this daemon's log)";
            } else if (System.nanoTime() - deadlineNs >= 0) {
                failure = "the new process (pid " + successor.pid() + ") was not ready within " + request.timeoutMs()
                        + " ms; stopped it";
            }
            if (failure != null) {
                polls[0].cancel(false);
                running = null;
                // Off the control thread: stopping it may take seconds.
                java.util.concurrent.CompletableFuture.runAsync(successor::abandon);
                LOG.warn("upgrade failed: {}; this process (pid {}) keeps serving", failure, ProcessHandle.current().pid());
                exchange.refuse(ErrorCode.REFUSED, "upgrade failed, this process keeps serving: " + failure);
            }
        });
    }
}
