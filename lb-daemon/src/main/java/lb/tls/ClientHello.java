package lb.tls;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Owned by one thread (a loop keeps one and reuses it). What a TLS ClientHello said that a router
 * can use: the server name (SNI, RFC 6066 section 3), the protocols offered (ALPN, RFC 7301), and the
 * versions. Filled by {@link ClientHelloParser} without allocating: the name and protocol names are
 * copied into fixed arrays of their maximum length, so nothing here points into the connection's
 * buffer. The byte arrays are lent, not given: read them before the next parse.
 */
public final class ClientHello {

    /** The longest server name (RFC 6066: HostName is opaque<1..2^16-1>, but a DNS name is at most 255). */
    public static final int MAX_SERVER_NAME = 255;
    /** How many offered protocols are kept, in the client's order; any beyond are checked, then dropped. */
    public static final int MAX_ALPN = 8;
    /** The longest protocol name (RFC 7301: ProtocolName is opaque<1..2^8-1>). */
    public static final int MAX_ALPN_NAME = 255;

    final byte[] serverName = new byte[MAX_SERVER_NAME];
    /** -1 without a server_name extension. */
    int serverNameLength = -1;
    final byte[][] alpn = new byte[MAX_ALPN][MAX_ALPN_NAME];
    final int[] alpnLengths = new int[MAX_ALPN];
    int alpnCount;
    int tlsVersion;
    boolean offersTls13;
    int length;
    /** The parser's cursor over the records; lives here so a parse allocates nothing. */
    final RecordCursor cursor = new RecordCursor();
    /** One bit per extension type seen in the message being parsed (RFC 8446 section 4.2: no repeats). */
    final long[] seenExtensions = new long[65536 / 64];

    /** Forgets the last hello: no name, no protocols, no length. The arrays keep their old bytes. */
    public void clear() {
        serverNameLength = -1;
        alpnCount = 0;
        tlsVersion = 0;
        offersTls13 = false;
        length = 0;
    }

    /** Whether the client named a server (server_name with a host_name). */
    public boolean hasServerName() {
        return serverNameLength > 0;
    }

    /**
     * The server name's bytes, the first {@link #serverNameLength()} of the array: ASCII letters
     * (lower-cased), digits, '-', '_' and '.', without a trailing dot. Do not keep the array.
     */
    public byte[] serverName() {
        return serverName;
    }

    /** 1..255 when {@link #hasServerName()}, else -1. */
    public int serverNameLength() {
        return serverNameLength;
    }

    /** The server name as a String, or null: allocates, for logs and tests. */
    public String serverNameString() {
        return hasServerName() ? new String(serverName, 0, serverNameLength, StandardCharsets.US_ASCII) : null;
    }

    /** How many offered protocols are kept: 0 without ALPN, at most {@link #MAX_ALPN}. */
    public int alpnCount() {
        return alpnCount;
    }

    /** The i-th offered protocol's bytes, the first {@link #alpnLength(int)} of the array. Do not keep it. */
    public byte[] alpn(int i) {
        return alpn[i];
    }

    public int alpnLength(int i) {
        return alpnLengths[i];
    }

    /**
     * The i-th offered protocol as a String: allocates, for logs and tests. Protocol ids are opaque
     * bytes; the registered ones are UTF-8 (RFC 7301 section 6), so that is how they are shown.
     */
    public String alpnString(int i) {
        return new String(alpn[i], 0, alpnLengths[i], StandardCharsets.UTF_8);
    }

    /** legacy_version, e.g. 0x0303: TLS 1.3 clients send 1.2's and list 1.3 in supported_versions. */
    public int tlsVersion() {
        return tlsVersion;
    }

    /** Whether supported_versions (extension 43, RFC 8446 section 4.2.1) lists TLS 1.3 (0x0304). */
    public boolean offersTls13() {
        return offersTls13;
    }

    /** Bytes the hello took from the first byte read: all the records carrying it, nothing after them. */
    public int length() {
        return length;
    }

    @Override
    public String toString() {
        String[] protocols = new String[alpnCount];
        for (int i = 0; i < alpnCount; i++) {
            protocols[i] = alpnString(i);
        }
        return "ClientHello sni=" + serverNameString() + " alpn=" + Arrays.toString(protocols)
                + " version=0x" + Integer.toHexString(tlsVersion) + (offersTls13 ? " +tls1.3" : "")
                + " (" + length + " bytes)";
    }
}
