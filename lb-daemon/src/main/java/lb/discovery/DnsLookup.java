package lb.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import lb.config.BackendConfig;
import lb.config.DiscoveryConfig;
import lb.config.Tiers;
import lb.loop.Sockets;
import lb.pool.DiscoveryFailure;

/**
 * Any thread (stateless; each call blocks its caller up to the timeouts, so only the discovery
 * thread calls it). One lookup of a pool's {@code [pool.discovery]}: the backends its records give
 * now, and the smallest TTL among the records used, or a {@link Failure} with its reason.
 *
 * <p>Each query goes to the resolvers in turn: a timeout, SERVFAIL, another error code or a failed
 * truncated answer tries the next; an answer (records, none, or NXDOMAIN) is final. A truncated UDP
 * answer (TC bit) is asked again over TCP (RFC 7766), as a stub resolver does.
 *
 * <p>SRV records (RFC 2782) give target, port, priority and weight: priority is the backend's tier
 * ({@link Tiers}: the lowest number serves first), weight its weight (clamped to 1..1000: SRV weight
 * 0 means "rarely", and lb has no weight 0 for an active backend). A target's addresses come from
 * the answer's additional section when the server put them there (Consul, CoreDNS do), else from
 * its A records, else its AAAA records. A target "." ("no service here") gives nothing.
 *
 * <p>Names are derived from the records alone, so every lb host with the same DNS names a backend
 * alike (the hashing algorithms place clients by name): SRV {@code target:port} (or
 * {@code target/ip:port} when the target has several addresses), A/AAAA {@code ip:port}. Backends
 * are ordered by tier, then name, and past {@code max_backends} left out: the same ones on every host.
 */
final class DnsLookup {

    /** What one good lookup found. */
    record Answer(List<BackendConfig> backends, int leftOut, long ttlSeconds) {
    }

    /** A failed lookup. */
    static final class Failure extends Exception {
        private final DiscoveryFailure reason;

        Failure(DiscoveryFailure reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }

        DiscoveryFailure reason() {
            return reason;
        }
    }

    private DnsLookup() {
    }

    static Answer lookup(DiscoveryConfig config) throws Failure {
        Name name;
        try {
            name = Name.fromString(config.name(), Name.root);
        } catch (TextParseException e) {
            throw new Failure(DiscoveryFailure.OTHER, "bad name " + config.name() + ": " + e.getMessage());
        }
        List<BackendConfig> found = new ArrayList<>();
        int[] notLookedUp = new int[1];
        long ttl = switch (config.type()) {
            case SRV -> srv(config, name, found, notLookedUp);
            case A -> addresses(config, name, List.of(Type.A), found);
            case AAAA -> addresses(config, name, List.of(Type.AAAA), found);
            case A_AAAA -> addresses(config, name, List.of(Type.A, Type.AAAA), found);
        };
        if (found.isEmpty()) {
            throw new Failure(DiscoveryFailure.EMPTY, config.name() + " (" + config.type().configName()
                    + ") gives no backend");
        }
        // Tier, then name: the same set, in the same order, kept and left out alike on every host.
        found.sort(Comparator.comparingInt(BackendConfig::tier).thenComparing(BackendConfig::name));
        int past = Math.max(0, found.size() - config.maxBackends());
        List<BackendConfig> kept = List.copyOf(found.subList(0, found.size() - past));
        return new Answer(kept, past + notLookedUp[0], ttl);
    }

    private static long srv(DiscoveryConfig config, Name name, List<BackendConfig> found, int[] notLookedUp)
            throws Failure {
        Message answer = query(config, name, Type.SRV);
        List<SRVRecord> records = new ArrayList<>();
        for (Record r : answer.getSection(Section.ANSWER)) {
            if (r instanceof SRVRecord srv) {
                records.add(srv);
            }
        }
        if (records.isEmpty()) {
            throw new Failure(DiscoveryFailure.EMPTY, config.name() + " has no SRV record");
        }
        // Best first, so that resolving targets can stop once max_backends are found.
        records.sort(Comparator.comparingInt(SRVRecord::getPriority).thenComparing(r -> targetText(r.getTarget()))
                .thenComparingInt(SRVRecord::getPort));
        Map<Name, List<Record>> additional = new LinkedHashMap<>();
        for (Record r : answer.getSection(Section.ADDITIONAL)) {
            if (r instanceof ARecord || r instanceof AAAARecord) {
                additional.computeIfAbsent(r.getName(), n -> new ArrayList<>()).add(r);
            }
        }
        long ttl = Long.MAX_VALUE;
        Set<InetSocketAddress> seen = new LinkedHashSet<>();
        for (SRVRecord srv : records) {
            if (srv.getTarget().equals(Name.root)) {
                continue; // RFC 2782: "." means the service is decidedly not available here
            }
            // Past max_backends the rest is left out anyway: count them without looking their targets up.
            if (found.size() >= config.maxBackends()) {
                notLookedUp[0]++;
                continue;
            }
            ttl = Math.min(ttl, srv.getTTL());
            List<Record> addresses = additional.get(srv.getTarget());
            if (addresses == null) {
                addresses = targetAddresses(config, srv.getTarget());
            }
            List<InetAddress> ips = new ArrayList<>();
            for (Record r : addresses) {
                ttl = Math.min(ttl, r.getTTL());
                ips.add(r instanceof ARecord a ? a.getAddress() : ((AAAARecord) r).getAddress());
            }
            if (ips.isEmpty()) {
                continue; // a target without an address gives no backend; the others still do
            }
            String target = targetText(srv.getTarget());
            int weight = Math.max(1, Math.min(BackendConfig.MAX_WEIGHT, srv.getWeight()));
            int tier = Tiers.of(srv.getPriority(), config.backup());
            for (InetAddress ip : ips) {
                InetSocketAddress address = new InetSocketAddress(ip, srv.getPort());
                if (!seen.add(address)) {
                    continue; // two records, one backend: the better (first) one wins
                }
                String backendName = ips.size() == 1 ? target + ":" + srv.getPort()
                        : target + "/" + Sockets.hostPort(address);
                found.add(new BackendConfig(backendName, address, weight, 0, tier));
            }
        }
        return ttl == Long.MAX_VALUE ? 0 : ttl;
    }

    /** A target's A records, or if it has none its AAAA records; none when it has neither (or the lookups fail). */
    private static List<Record> targetAddresses(DiscoveryConfig config, Name target) {
        for (int type : new int[] {Type.A, Type.AAAA}) {
            try {
                List<Record> records = new ArrayList<>();
                for (Record r : query(config, target, type).getSection(Section.ANSWER)) {
                    if (r.getType() == type) {
                        records.add(r);
                    }
                }
                if (!records.isEmpty()) {
                    return records;
                }
            } catch (Failure e) {
                // This target gives no backend now; the SRV answer's other targets still may.
            }
        }
        return List.of();
    }

    private static long addresses(DiscoveryConfig config, Name name, List<Integer> types, List<BackendConfig> found)
            throws Failure {
        long ttl = Long.MAX_VALUE;
        int tier = Tiers.of(0, config.backup());
        for (int type : types) {
            Message answer = query(config, name, type);
            for (Record r : answer.getSection(Section.ANSWER)) {
                if (r.getType() != type) {
                    continue; // the CNAME chain that led to them
                }
                ttl = Math.min(ttl, r.getTTL());
                InetAddress ip = r instanceof ARecord a ? a.getAddress() : ((AAAARecord) r).getAddress();
                InetSocketAddress address = new InetSocketAddress(ip, config.port());
                found.add(new BackendConfig(Sockets.hostPort(address), address, BackendConfig.DEFAULT_WEIGHT, 0, tier));
            }
        }
        return ttl == Long.MAX_VALUE ? 0 : ttl;
    }

    private static String targetText(Name target) {
        return target.toString(true).toLowerCase(Locale.ROOT);
    }

    /**
     * The answer of the first resolver that gives one: NOERROR (records or none) or NXDOMAIN, which
     * throws. A timeout, SERVFAIL, another code or a truncated answer that TCP could not complete
     * moves on to the next resolver; when none answers, the last one's failure is thrown.
     */
    private static Message query(DiscoveryConfig config, Name name, int type) throws Failure {
        Failure last = null;
        for (InetSocketAddress server : config.resolvers()) {
            Message answer;
            try {
                answer = ask(server, name, type, config.timeout());
            } catch (Failure f) {
                last = f;
                continue;
            }
            int rcode = answer.getRcode();
            if (rcode == Rcode.NOERROR) {
                return answer;
            }
            String text = Sockets.hostPort(server) + " answered " + Rcode.string(rcode) + " for " + name + " "
                    + Type.string(type);
            if (rcode == Rcode.NXDOMAIN) {
                throw new Failure(DiscoveryFailure.NXDOMAIN, text);
            }
            last = new Failure(rcode == Rcode.SERVFAIL ? DiscoveryFailure.SERVFAIL : DiscoveryFailure.OTHER, text);
        }
        throw last;
    }

    /** One query to one server: over UDP, and again over TCP when the UDP answer is truncated. */
    private static Message ask(InetSocketAddress server, Name name, int type, Duration timeout) throws Failure {
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        SimpleResolver udp = new SimpleResolver(server);
        udp.setTimeout(timeout);
        udp.setIgnoreTruncation(true); // seen here, so that a failed TCP retry is told apart
        Message answer = send(udp, query, server, timeout);
        if (!answer.getHeader().getFlag(Flags.TC)) {
            return answer;
        }
        SimpleResolver tcp = new SimpleResolver(server);
        tcp.setTimeout(timeout);
        tcp.setTCP(true);
        try {
            return send(tcp, query, server, timeout);
        } catch (Failure f) {
            throw new Failure(DiscoveryFailure.TRUNCATED, Sockets.hostPort(server) + ": truncated answer for " + name
                    + " " + Type.string(type) + " over UDP, and over TCP: " + f.getMessage());
        }
    }

    /** ICMP port unreachable (a UDP read), connection refused (TCP), no route: no resolver runs there. */
    private static boolean unreachable(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof java.net.PortUnreachableException || t instanceof java.net.ConnectException
                    || t instanceof java.net.NoRouteToHostException) {
                return true;
            }
        }
        return false;
    }

    private static Message send(SimpleResolver resolver, Message query, InetSocketAddress server, Duration timeout)
            throws Failure {
        String who = Sockets.hostPort(server) + (resolver.getTCP() ? " (tcp)" : "");
        try {
            // The resolver times the query out itself; the margin only guards against it not doing so.
            return resolver.sendAsync(query).toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new Failure(DiscoveryFailure.TIMEOUT, "no answer from " + who + " within " + timeout.toMillis()
                    + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SocketTimeoutException || cause instanceof TimeoutException
                    || String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT).contains("timed out")) {
                throw new Failure(DiscoveryFailure.TIMEOUT, "no answer from " + who + " within " + timeout.toMillis()
                        + " ms");
            }
            String message = cause instanceof IOException && cause.getMessage() != null ? cause.getMessage()
                    : String.valueOf(cause);
            throw new Failure(unreachable(cause) ? DiscoveryFailure.UNREACHABLE : DiscoveryFailure.OTHER,
                    who + ": " + message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(DiscoveryFailure.OTHER, "interrupted");
        }
    }
}
