package lb.control;

import java.util.concurrent.TimeUnit;

import lb.protocol.ErrorCode;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.protocol.Version;

/** Query thread. {@code stats}: every figure, from the stats thread; answered when it has them. */
final class StatsCommand implements Handler<Request.Stats> {

    private final ControlPlane plane;

    StatsCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request.Stats request, Exchange exchange) {
        plane.stats().report().orTimeout(Loops.TASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((figures, failure) -> {
                    if (failure != null) {
                        exchange.refuse(ErrorCode.UNAVAILABLE, "stats not available: " + failure);
                    } else {
                        exchange.reply(new Reply.Stats(Version.text(),
                                (System.nanoTime() - plane.startedNs()) / 1_000_000, figures));
                    }
                });
    }
}
