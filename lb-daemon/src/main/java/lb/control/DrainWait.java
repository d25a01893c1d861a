package lb.control;

import java.util.concurrent.ScheduledFuture;

import lb.pool.AdminState;
import lb.pool.Backend;
import lb.protocol.Command;
import lb.protocol.Reply;
import lb.protocol.Request.Drain.Then;

/**
 * Control thread only. A backend's sessions being waited out (drain with wait, disable with grace,
 * remove-backend): polled every {@value #POLL_MS} ms, a progress line every second while the client
 * listens, the final reply when the sessions are gone or at the deadline, where {@code then} is
 * applied (a removal resets the sessions left first, as {@code close}). If the client goes away, a wait with nothing left to do ends at once; one that must
 * still close or remove goes on without progress lines (no more listings of the loops' sessions).
 * A later change of the backend's admin state (undrain, enable) ends the wait without its
 * {@code then}: the newer change wins.
 */
final class DrainWait {

    static final long POLL_MS = 50;
    private static final long PROGRESS_EVERY_NS = 1_000_000_000L;

    private final ControlPlane plane;
    private final Target target;
    private final Exchange exchange;
    private final Command command;
    private final long startNs = System.nanoTime();
    private final long deadlineNs;
    private final Then then;
    private final boolean remove;
    private final AdminState waitingIn;
    // Why the change that started the wait was not journaled, if it was not: said in the final reply.
    private String warning;
    private long nextProgressNs = startNs;
    private boolean listing;
    private boolean finishing;
    private ScheduledFuture<?> polls;

    private DrainWait(ControlPlane plane, Target target, Exchange exchange, Command command, long deadlineMs,
                      Then then, boolean remove) {
        this.plane = plane;
        this.target = target;
        this.exchange = exchange;
        this.command = command;
        this.deadlineNs = deadlineMs == Long.MAX_VALUE ? Long.MAX_VALUE
                : startNs + Math.min(deadlineMs, Long.MAX_VALUE / 2_000_000) * 1_000_000;
        this.then = then;
        this.remove = remove;
        this.waitingIn = target.backend().adminState();
    }

    /** Starts waiting; the exchange gets progress lines and one final reply. */
    static void start(ControlPlane plane, Target target, Exchange exchange, Command command, long deadlineMs,
                      Then then, boolean remove, String warning) {
        DrainWait wait = new DrainWait(plane, target, exchange, command, deadlineMs, then, remove);
        wait.warning = warning;
        wait.polls = plane.every(POLL_MS, wait::poll);
        exchange.whenGone(() -> plane.onControl(wait::onClientGone));
    }

    private void onClientGone() {
        if (then == Then.KEEP && !remove && !finishing) {
            stop(); // nobody to tell and nothing left to do
        }
    }

    private void stop() {
        finishing = true;
        polls.cancel(false);
    }

    private void poll() {
        if (finishing) {
            return;
        }
        Backend b = target.backend();
        int active = b.activeSessions();
        long nowNs = System.nanoTime();
        if (b.adminState() != waitingIn) {
            stop();
            superseded(nowNs, 0);
            return;
        }
        if (active == 0) {
            stop();
            finish(nowNs, true, 0);
            return;
        }
        if (deadlineNs != Long.MAX_VALUE && nowNs - deadlineNs >= 0) {
            stop();
            // A backend leaves its pool only without sessions: one removed with sessions left would have
            // them run on out of reach of sessions, disable and the pool's counts (issue 14, defect 4).
            if (then == Then.CLOSE || remove) {
                plane.thenOnControl(plane.loops().closeSessionsOn(b),
                        (closed, failure) -> finish(System.nanoTime(), false, closed == null ? 0 : closed));
            } else {
                finish(nowNs, false, 0);
            }
            return;
        }
        if (exchange.isOpen() && !listing && nowNs - nextProgressNs >= 0) {
            nextProgressNs = nowNs + PROGRESS_EVERY_NS;
            listing = true;
            plane.thenOnControl(plane.loops().sessions(b, 1), (oldest, failure) -> {
                listing = false;
                if (!finishing) {
                    long ageMs = oldest == null || oldest.sessions().isEmpty() ? 0 : oldest.sessions().get(0).ageMs();
                    exchange.progress(new Reply.Progress(target.name(), b.activeSessions(), ageMs,
                            (System.nanoTime() - startNs) / 1_000_000));
                }
            });
        }
    }

    /**
     * Another change (undrain, enable, a reload) took the backend out of the state this wait was
     * for: closing or removing it now would undo that change, so the wait ends without its then.
     */
    private void superseded(long nowNs, int closed) {
        Reply.Backend state = target.state();
        exchange.reply(new Reply.Backend(state.target(), state.adminState(), state.weight(), state.activeSessions(),
                null, warning, false, (nowNs - startNs) / 1_000_000,
                "superseded: admin_state is now " + state.adminState(), closed));
    }

    private void finish(long nowNs, boolean drained, int closed) {
        if (target.backend().adminState() != waitingIn) {
            superseded(nowNs, closed); // changed while the loops were closing its sessions
            return;
        }
        boolean removed = false;
        if (remove) {
            String before = target.backend().adminState().name().toLowerCase(java.util.Locale.ROOT);
            removed = target.pool().remove(target.backend()); // false: a concurrent removal came first
            if (removed) {
                plane.audit(exchange.caller(), command, target.name(), "in pool (" + before + ") -> removed ("
                        + (drained ? "drained" : closed + " session(s) reset") + ")");
                String notJournaled = plane.journal();
                warning = notJournaled != null ? notJournaled : warning;
            }
        }
        Reply.Backend state = target.state();
        exchange.reply(new Reply.Backend(state.target(), state.adminState(), state.weight(), state.activeSessions(),
                remove ? Boolean.valueOf(removed) : null, warning, drained, (nowNs - startNs) / 1_000_000,
                drained ? null : then.name().toLowerCase(java.util.Locale.ROOT), drained ? null : closed));
    }
}
