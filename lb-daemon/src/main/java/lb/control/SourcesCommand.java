package lb.control;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import lb.admission.SourceFigures;
import lb.admission.SourceTable;
import lb.listen.Listener;
import lb.listen.ListenerAdmission;
import lb.protocol.Json;
import lb.protocol.RefusedException;
import lb.protocol.Reply;
import lb.protocol.Request;

/**
 * Query thread. {@code sources}: the client sources each listener's per-source table tracks, most
 * open connections first, then highest recent rate (read without stopping the loops: a moment's
 * figures, not one instant's).
 */
final class SourcesCommand implements Handler<Request.Sources> {

    private final ControlPlane plane;

    SourcesCommand(ControlPlane plane) {
        this.plane = plane;
    }

    @Override
    public void handle(Request.Sources request, Exchange exchange) {
        Map<String, Listener> listeners = plane.state().listeners();
        if (request.listener() != null && !listeners.containsKey(request.listener())) {
            throw RefusedException.notFound("no listener named " + Json.write(request.listener()) + " (listeners: "
                    + String.join(", ", listeners.keySet()) + ")");
        }
        int limit = request.limit().intValue();
        long nowNs = System.nanoTime();
        List<Reply.SourceEntry> entries = new ArrayList<>();
        Map<String, Object> tracked = new LinkedHashMap<>();
        List<String> untracked = new ArrayList<>();
        for (Listener l : listeners.values()) {
            if (request.listener() != null && !request.listener().equals(l.name())) {
                continue;
            }
            ListenerAdmission admission = l.admission();
            SourceTable table = admission != null ? admission.sources() : null;
            if (table == null) {
                untracked.add(l.name());
                continue;
            }
            tracked.put(l.name(), (long) table.tracked());
            for (SourceFigures f : table.top(limit, nowNs)) {
                entries.add(new Reply.SourceEntry(l.name(), f.source(), f.connections(), f.ratePerSecond()));
            }
        }
        entries.sort(Comparator.comparingLong(Reply.SourceEntry::connections).reversed()
                .thenComparing(Comparator.comparingDouble(Reply.SourceEntry::ratePerS).reversed()));
        exchange.reply(new Reply.Sources(entries.size() > limit ? entries.subList(0, limit) : entries, tracked,
                untracked));
    }
}
