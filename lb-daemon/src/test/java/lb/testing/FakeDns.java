package lb.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Any thread may call the public methods; one thread answers UDP, one per TCP connection. A small
 * authoritative DNS server on 127.0.0.1 for tests, over real sockets: records set (and changed) by
 * the test, each with its TTL; a failure mode that answers SERVFAIL, NXDOMAIN, nothing at all (a
 * timeout) or a truncated UDP answer (TC bit, no records); TCP on the same port, on or off. An
 * answer too long for the query's UDP size is truncated as a real server does (TC), so the client
 * must ask again over TCP. Each query is recorded with its time.
 */
public final class FakeDns implements AutoCloseable {

    /** What every query gets instead of its records. */
    public enum Failure { NONE, SERVFAIL, NXDOMAIN, SILENT, TRUNCATE }

    /** One query as received. */
    public record Query(String name, int type, boolean tcp, long atNs) {
    }

    private record Key(Name name, int type) {
    }

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Map<Key, List<Record>> answers = new ConcurrentHashMap<>();
    private final Map<Key, List<Record>> additionals = new ConcurrentHashMap<>();
    private final List<Query> queries = new CopyOnWriteArrayList<>();
    private final AtomicInteger tcpQueries = new AtomicInteger();
    private volatile Failure failure = Failure.NONE;
    private volatile boolean tcpOn = true;
    private volatile boolean closed;

    private FakeDns(DatagramSocket udp, ServerSocket tcp) {
        this.udp = udp;
        this.tcp = tcp;
        Thread u = new Thread(this::serveUdp, "fake-dns-udp");
        u.setDaemon(true);
        u.start();
        Thread t = new Thread(this::acceptTcp, "fake-dns-tcp");
        t.setDaemon(true);
        t.start();
    }

    /** UDP and TCP on one free port of 127.0.0.1. */
    public static FakeDns start() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int attempt = 0; ; attempt++) {
            DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
            ServerSocket tcp = new ServerSocket();
            try {
                tcp.setReuseAddress(true);
                tcp.bind(new InetSocketAddress(loopback, udp.getLocalPort()));
                return new FakeDns(udp, tcp);
            } catch (IOException e) {
                udp.close();
                tcp.close();
                if (attempt == 20) {
                    throw e;
                }
            }
        }
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort());
    }

    /** "127.0.0.1:port", as a config's resolvers list takes it. */
    public String resolver() {
        return "127.0.0.1:" + udp.getLocalPort();
    }

    public static Name name(String text) {
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    public static SRVRecord srv(String name, long ttl, int priority, int weight, int port, String target) {
        return new SRVRecord(name(name), DClass.IN, ttl, priority, weight, port, name(target));
    }

    public static Record address(String name, long ttl, String ip) {
        try {
            InetAddress address = InetAddress.getByName(ip); // a literal
            return address.getAddress().length == 4 ? new ARecord(name(name), DClass.IN, ttl, address)
                    : new AAAARecord(name(name), DClass.IN, ttl, address);
        } catch (IOException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    /** The answer to {@code name}/{@code type} from now on (empty: the name exists, without such records). */
    public FakeDns set(String name, int type, List<? extends Record> records) {
        answers.put(new Key(name(name), type), List.copyOf(records));
        return this;
    }

    /** Records put in the additional section of answers to {@code name}/{@code type} (SRV targets' addresses). */
    public FakeDns additional(String name, int type, List<? extends Record> records) {
        additionals.put(new Key(name(name), type), List.copyOf(records));
        return this;
    }

    public FakeDns failure(Failure mode) {
        this.failure = mode;
        return this;
    }

    /** Whether TCP queries are answered (off: the connection is closed at once). */
    public FakeDns tcp(boolean on) {
        this.tcpOn = on;
        return this;
    }

    public List<Query> queries() {
        return List.copyOf(queries);
    }

    /** Queries for {@code name} (any type). */
    public List<Query> queries(String name) {
        Name wanted = name(name);
        List<Query> matching = new ArrayList<>();
        for (Query q : queries) {
            if (name(q.name()).equals(wanted)) {
                matching.add(q);
            }
        }
        return matching;
    }

    public int tcpQueries() {
        return tcpQueries.get();
    }

    /** The answer to {@code query}, or null for none (SILENT); {@code udpLimit} bytes at most over UDP, else 65535. */
    private byte[] answer(byte[] bytes, int length, boolean overTcp) throws IOException {
        Message query = new Message(java.util.Arrays.copyOf(bytes, length));
        Record question = query.getQuestion();
        queries.add(new Query(question.getName().toString(), question.getType(), overTcp, System.nanoTime()));
        Failure mode = failure;
        if (mode == Failure.SILENT) {
            return null;
        }
        Message reply = new Message(query.getHeader().getID());
        reply.getHeader().setFlag(Flags.QR);
        reply.getHeader().setFlag(Flags.AA);
        reply.addRecord(question, Section.QUESTION);
        Key key = new Key(question.getName(), question.getType());
        if (mode == Failure.SERVFAIL) {
            reply.getHeader().setRcode(Rcode.SERVFAIL);
        } else if (mode == Failure.NXDOMAIN) {
            reply.getHeader().setRcode(Rcode.NXDOMAIN);
        } else if (mode == Failure.TRUNCATE && !overTcp) {
            reply.getHeader().setFlag(Flags.TC);
        } else if (!answers.containsKey(key) && answers.keySet().stream().noneMatch(k -> k.name().equals(key.name()))) {
            reply.getHeader().setRcode(Rcode.NXDOMAIN);
        } else {
            for (Record r : answers.getOrDefault(key, List.of())) {
                reply.addRecord(r, Section.ANSWER);
            }
            for (Record r : additionals.getOrDefault(key, List.of())) {
                reply.addRecord(r, Section.ADDITIONAL);
            }
        }
        if (overTcp) {
            return reply.toWire(65535);
        }
        OPTRecord opt = query.getOPT();
        return reply.toWire(opt != null ? Math.max(512, opt.getPayloadSize()) : 512); // sets TC when it does not fit
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
                byte[] reply = answer(packet.getData(), packet.getLength(), false);
                if (reply != null) {
                    udp.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
                }
            } catch (SocketException e) {
                return; // closed
            } catch (IOException | RuntimeException e) {
                // a bad packet: no answer
            }
        }
    }

    private void acceptTcp() {
        while (!closed) {
            Socket socket;
            try {
                socket = tcp.accept();
            } catch (IOException e) {
                return;
            }
            Thread t = new Thread(() -> serveTcp(socket), "fake-dns-tcp-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serveTcp(Socket socket) {
        try (socket) {
            if (!tcpOn) {
                return;
            }
            socket.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            while (true) {
                int length = in.readUnsignedShort();
                byte[] query = in.readNBytes(length);
                tcpQueries.incrementAndGet();
                byte[] reply = answer(query, query.length, true);
                if (reply == null) {
                    return;
                }
                out.writeShort(reply.length);
                out.write(reply);
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // the client closed, or a bad query: done with this connection
        }
    }

    /** SRV records answer {@code name}; their targets' A records go in the additional section. */
    public FakeDns srvWithAddresses(String name, List<SRVRecord> records, List<? extends Record> addresses) {
        set(name, Type.SRV, records);
        additional(name, Type.SRV, addresses);
        return this;
    }

    @Override
    public void close() {
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
