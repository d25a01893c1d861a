package lb.stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Any thread (stateless). A stats report ({@link StatsAggregator#report()}) in the Prometheus text
 * exposition format 0.0.4: each family once with its HELP and TYPE lines and all its samples
 * together, label values escaped, latencies as histograms in seconds with fixed bucket bounds.
 */
public final class PrometheusText {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Map<String, Family> families = new LinkedHashMap<>();

    private record Family(String type, String help, List<String> samples) {
    }

    private PrometheusText() {
    }

    /** The whole exposition for {@code report}. */
    public static String render(Map<String, Object> report) {
        PrometheusText text = new PrometheusText();
        text.add("lb_stats_events_dropped_total", "counter",
                "Session events dropped because the stats thread was behind (figures then undercount).", "",
                report.get("events_dropped"));
        Map<?, ?> accessLog = (Map<?, ?>) report.get("access_log");
        text.add("lb_access_log_lines_total", "counter", "Access-log lines written to the file (0 unless access_log "
                + "is a file).", "", accessLog.get("lines_written"));
        text.add("lb_access_log_dropped_total", "counter", "Access-log lines dropped because the file's writer was "
                + "behind (its queue was full).", "", accessLog.get("dropped"));
        text.add("lb_access_log_write_errors_total", "counter", "Access-log lines lost because writing the file "
                + "failed (disk full, I/O error).", "", accessLog.get("write_errors"));
        text.add("lb_access_log_reopens_total", "counter", "Times the access-log file was reopened (SIGUSR1, "
                + "after rotation).", "", accessLog.get("reopens"));
        text.process((Map<?, ?>) report.get("process"));
        for (Object o : (List<?>) report.get("listeners")) {
            Map<?, ?> l = (Map<?, ?>) o;
            String labels = "listener=\"" + escape(l.get("name")) + "\"";
            text.add("lb_listener_active_sessions", "gauge", "Sessions open on the listener.", labels,
                    l.get("active_sessions"));
            text.add("lb_listener_sessions_total", "counter", "Connections accepted by the listener.", labels,
                    l.get("sessions_total"));
            for (String reason : new String[] {"limit", "rate", "backoff"}) {
                text.add("lb_listener_paused", "gauge", "1 while the listener does not accept on some loop: at its "
                        + "max_connections (limit), above its rate_limit (rate), or backing off after accept failed or "
                        + "descriptors ran short (backoff).", labels + ",reason=\"" + reason + "\"",
                        reason.equals(l.get("paused")) ? 1 : 0);
            }
            for (Map.Entry<?, ?> e : ((Map<?, ?>) l.get("refused")).entrySet()) {
                text.add("lb_listener_refused_total", "counter", "Connections the listener's admission rules reset "
                        + "after accept: denied (allow/deny lists), source_connections, source_rate (per-source limits), "
                        + "source_table_full (max_tracked_sources, all with open connections).",
                        labels + ",reason=\"" + e.getKey() + "\"", e.getValue());
            }
            if (l.get("routes") instanceof List<?> routes) {
                for (Object ro : routes) {
                    Map<?, ?> r = (Map<?, ?>) ro;
                    text.add("lb_route_sessions_total", "counter", "Sessions a route by TLS server name took (since "
                            + "the route was configured).", labels + ",route=\"" + escape(r.get("name")) + "\",pool=\""
                            + escape(r.get("pool")) + "\"", r.get("sessions_total"));
                }
                for (Map.Entry<?, ?> e : ((Map<?, ?>) l.get("sni_default")).entrySet()) {
                    text.add("lb_listener_sni_default_total", "counter", "Sessions of a listener with routes that took "
                            + "none (default pool, or reset without one): no_sni, no_match, not_tls, malformed, timeout "
                            + "(client_hello_timeout), too_long (client_hello_max), closed.", labels + ",reason=\""
                            + e.getKey() + "\"", e.getValue());
                }
            }
            if (l.get("tracked_sources") != null) {
                text.add("lb_listener_tracked_sources", "gauge", "Sources the per-source table remembers now (at most "
                        + "max_tracked_sources).", labels, l.get("tracked_sources"));
                text.add("lb_listener_source_evictions_total", "counter", "Idle sources forgotten to make room for new "
                        + "ones (a returning one starts with a full burst).", labels, l.get("source_evictions"));
            }
            if (l.get("proxy_protocol_rejected") instanceof Map<?, ?> rejected) {
                for (Map.Entry<?, ?> e : rejected.entrySet()) {
                    text.add("lb_listener_proxy_rejected_total", "counter", "Connections closed for their PROXY "
                            + "protocol header: malformed (by what), timeout, untrusted peer, or closed before it was "
                            + "complete.", labels + ",reason=\"" + e.getKey() + "\"", e.getValue());
                }
            }
            text.bytes("lb_listener_bytes_total", "Bytes relayed through the listener: up = from clients, down = to "
                    + "clients.", labels, l);
            text.common("lb_listener", labels, l);
        }
        for (Object o : (List<?>) report.get("pools")) {
            Map<?, ?> p = (Map<?, ?>) o;
            String poolLabels = "pool=\"" + escape(p.get("name")) + "\"";
            text.add("lb_pool_active_sessions", "gauge", "Sessions open on the pool's backends.", poolLabels,
                    p.get("active_sessions"));
            text.add("lb_pool_sessions_refused_total", "counter", "Clients closed because no backend could take them.",
                    poolLabels, p.get("sessions_refused"));
            text.add("lb_pool_panic", "gauge", "1 while the pool is in panic (too few healthy backends: every "
                    + "active one is picked), else 0.", poolLabels, Boolean.TRUE.equals(p.get("panic")) ? 1 : 0);
            if (p.get("discovery_failures") instanceof Map<?, ?> failures) {
                for (Map.Entry<?, ?> e : failures.entrySet()) {
                    text.add("lb_pool_discovery_failures_total", "counter", "DNS lookups of the pool's discovery that "
                            + "failed, by reason (the pool keeps its last good set of backends).",
                            poolLabels + ",reason=\"" + e.getKey() + "\"", e.getValue());
                }
                text.add("lb_pool_discovery_failing", "gauge", "1 while the pool's last DNS lookup failed, else 0.",
                        poolLabels, Boolean.TRUE.equals(p.get("discovery_failing")) ? 1 : 0);
                text.add("lb_pool_discovery_backends", "gauge", "Backends the last good DNS answer gave (-1 before "
                        + "the first).", poolLabels, p.get("discovery_backends"));
            }
            text.add("lb_pool_sessions_total", "counter", "Sessions placed on the pool's backends, those since "
                    + "removed included.", poolLabels, p.get("sessions_total"));
            text.bytes("lb_pool_bytes_total", "Bytes relayed by the pool's backends, those since removed included: "
                    + "up = to them, down = from "
                    + "them.", poolLabels, p);
            for (Object ob : (List<?>) p.get("backends")) {
                Map<?, ?> b = (Map<?, ?>) ob;
                String labels = poolLabels + ",backend=\"" + escape(b.get("name")) + "\"";
                text.add("lb_backend_up", "gauge", "1 when the backend's health is up, else 0.", labels,
                        "up".equals(b.get("health")) ? 1 : 0);
                text.add("lb_backend_ejected", "gauge", "1 while outlier detection keeps the backend out, else 0.",
                        labels, Boolean.TRUE.equals(b.get("ejected")) ? 1 : 0);
                text.add("lb_backend_weight", "gauge", "The backend's weight: configured, and effective now (lower "
                        + "while slow start ramps it up).", labels + ",kind=\"configured\"", b.get("weight"));
                text.add("lb_backend_weight", "gauge", "", labels + ",kind=\"effective\"", b.get("effective_weight"));
                for (String state : new String[] {"active", "draining", "disabled"}) {
                    text.add("lb_backend_admin_state", "gauge", "1 for the backend's admin state, 0 for the others.",
                            labels + ",state=\"" + state + "\"", state.equals(b.get("admin_state")) ? 1 : 0);
                }
                text.add("lb_backend_active_sessions", "gauge", "Sessions open on the backend.", labels,
                        b.get("active_sessions"));
                text.add("lb_backend_sessions_total", "counter", "Sessions placed on the backend.", labels,
                        b.get("sessions_total"));
                text.bytes("lb_backend_bytes_total", "Bytes relayed: up = to the backend, down = from it.", labels, b);
                for (Map.Entry<?, ?> e : ((Map<?, ?>) b.get("connect_failures")).entrySet()) {
                    text.add("lb_backend_connect_failures_total", "counter", "Connects to the backend that failed, by "
                            + "cause.", labels + ",cause=\"" + e.getKey() + "\"", e.getValue());
                }
                text.add("lb_backend_rejected_at_limit_total", "counter", "Picks refused because the backend was at "
                        + "max_connections.", labels, b.get("rejected_at_limit"));
                text.add("lb_backend_ejections_total", "counter", "Times passive checks ejected the backend.", labels,
                        b.get("ejections"));
                text.add("lb_backend_health_changes_total", "counter", "Health state changes (up/down).", labels,
                        b.get("health_changes"));
                text.histogram("lb_backend_connect_seconds", "Time to connect to the backend.", labels,
                        (Map<?, ?>) b.get("connect"));
                text.common("lb_backend", labels, b);
            }
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Family> e : text.families.entrySet()) {
            out.append("# HELP ").append(e.getKey()).append(' ').append(e.getValue().help()).append('\n');
            out.append("# TYPE ").append(e.getKey()).append(' ').append(e.getValue().type()).append('\n');
            for (String sample : e.getValue().samples()) {
                out.append(sample).append('\n');
            }
        }
        return out.toString();
    }

    /** What listeners and backends both have: ends, retries, first-byte and duration histograms. */
    private void common(String prefix, String labels, Map<?, ?> m) {
        for (Map.Entry<?, ?> e : ((Map<?, ?>) m.get("ended")).entrySet()) {
            add(prefix + "_sessions_ended_total", "counter", "Sessions ended, by how they ended.",
                    labels + ",end=\"" + e.getKey() + "\"", e.getValue());
        }
        add(prefix + "_retries_total", "counter", "Connects retried on another backend.", labels, m.get("retries"));
        histogram(prefix + "_first_byte_seconds", "From accept to the first byte from the backend.", labels,
                (Map<?, ?>) m.get("first_byte"));
        histogram(prefix + "_session_duration_seconds", "How long ended sessions lasted.", labels,
                (Map<?, ?>) m.get("duration"));
    }

    /** What an alert on the process needs: descriptors, memory, threads, collections, buffer pools. */
    private void process(Map<?, ?> p) {
        if (p == null) {
            return;
        }
        add("lb_build_info", "gauge", "Always 1: the lb version and the Java runtime it runs on.",
                "version=\"" + escape(p.get("version")) + "\",java=\"" + escape(p.get("java")) + "\"", 1);
        add("lb_process_start_time_seconds", "gauge", "When the process started, in seconds since the epoch.", "",
                p.get("start_time_s"));
        if (p.get("tcp_migrate_req") != null) {
            add("lb_host_tcp_migrate_req", "gauge", "The host's net.ipv4.tcp_migrate_req: 1 when an upgrade moves "
                    + "connections queued on the old process's listeners to the new one's, 0 when they are reset.", "",
                    p.get("tcp_migrate_req"));
        }
        if (p.get("open_fds") != null) {
            add("lb_process_open_fds", "gauge", "Open file descriptors.", "", p.get("open_fds"));
            add("lb_process_max_fds", "gauge", "The process's limit of open file descriptors.", "", p.get("max_fds"));
        }
        add("lb_jvm_heap_bytes", "gauge", "Java heap: used now, and the most it may grow to.", "state=\"used\"",
                p.get("heap_used_bytes"));
        add("lb_jvm_heap_bytes", "gauge", "", "state=\"max\"", p.get("heap_max_bytes"));
        add("lb_jvm_direct_bytes", "gauge", "Direct memory (the relay's buffers): used now, and the JVM's limit.",
                "state=\"used\"", p.get("direct_used_bytes"));
        add("lb_jvm_direct_bytes", "gauge", "", "state=\"max\"", p.get("direct_max_bytes"));
        add("lb_jvm_threads", "gauge", "Live threads.", "", p.get("threads"));
        add("lb_jvm_gc_collections_total", "counter", "Garbage collections, all collectors.", "", p.get("gc_collections"));
        add("lb_jvm_gc_seconds_total", "counter", "Time spent in garbage collection.", "", p.get("gc_seconds"));
        for (Object o : (List<?>) p.get("loops")) {
            Map<?, ?> loop = (Map<?, ?>) o;
            String labels = "loop=\"" + loop.get("loop") + "\"";
            add("lb_buffer_pool_bytes", "gauge", "An event loop's pending-data buffers: lent out now, and its bound.",
                    labels + ",state=\"used\"", loop.get("buffer_pool_used_bytes"));
            add("lb_buffer_pool_bytes", "gauge", "", labels + ",state=\"max\"", loop.get("buffer_pool_max_bytes"));
            add("lb_buffer_pool_evictions_total", "counter", "Sessions closed (write_stalled) to make room in a full pool.",
                    labels, loop.get("buffer_pool_evictions"));
            add("lb_loop_lag_seconds", "gauge", "How long an event loop's longest pass of the last second ran (or the "
                    + "one running now, if longer): what became ready meanwhile waited that long.", labels,
                    loop.get("lag_seconds"));
        }
    }

    private void bytes(String name, String help, String labels, Map<?, ?> m) {
        add(name, "counter", help, labels + ",direction=\"up\"", m.get("bytes_up"));
        add(name, "counter", help, labels + ",direction=\"down\"", m.get("bytes_down"));
    }

    /** A latency as a Prometheus histogram: cumulative {@code _bucket}s by {@code le}, {@code _sum}, {@code _count}. */
    private void histogram(String name, String help, String labels, Map<?, ?> latency) {
        families.computeIfAbsent(name, k -> new Family("histogram", help, new ArrayList<>()));
        for (Map.Entry<?, ?> bucket : ((Map<?, ?>) latency.get("buckets")).entrySet()) {
            sample(name, name + "_bucket", labels + ",le=\"" + bucket.getKey() + "\"", bucket.getValue());
        }
        sample(name, name + "_sum", labels, latency.get("sum_s"));
        sample(name, name + "_count", labels, latency.get("count"));
    }

    private void add(String name, String type, String help, String labels, Object value) {
        families.computeIfAbsent(name, k -> new Family(type, help, new ArrayList<>()));
        sample(name, name, labels, value);
    }

    private void sample(String family, String name, String labels, Object value) {
        families.get(family).samples().add(name + (labels.isEmpty() ? "" : "{" + labels + "}") + " " + number(value));
    }

    private static String number(Object value) {
        if (value instanceof Double d) {
            if (d.isNaN()) {
                return "NaN";
            }
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : Double.toString(d);
        }
        return String.valueOf(value);
    }

    /** Label values: backslash, double quote and line feed escaped, as the format requires. */
    static String escape(Object value) {
        return String.valueOf(value).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
