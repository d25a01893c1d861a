package lb.proxyproto;

import java.nio.ByteBuffer;

/**
 * Any thread (stateless). Reads a PROXY protocol header (HAProxy's "The PROXY protocol, versions 1
 * & 2") from the first bytes of a connection, strictly and without allocating: call it each time
 * more bytes have arrived; it says the header is complete (its length), needs more, or is bad (and
 * why). Bytes after the header are the client's and are left where they are.
 *
 * <p>v1: "PROXY TCP4|TCP6 src dst sport dport\r\n" or "PROXY UNKNOWN...\r\n", at most 107 bytes,
 * single spaces, exact CRLF, addresses of the named family, ports 0..65535 without leading zeros.
 * v2: the 12-byte signature, version 2, command LOCAL or PROXY, a known family and protocol, a
 * length that covers the addresses and at most {@link #MAX_V2_LENGTH}, TLVs walked with bounds
 * checks (each inside the header; unique id and authority no longer than their maximum).
 */
public final class ProxyHeaderParser {

    /** Which versions a listener takes. */
    public enum Accept { V1, V2, ANY }

    /**
     * Why a header was refused: the metric label and the log's reason. The parser gives the first
     * eleven; the last three are the session's (no complete header in time, a peer outside the
     * trusted sources, the peer closed or reset before its header was complete).
     */
    public enum Failure {
        NOT_PROXY("not_proxy"), V1_TOO_LONG("v1_too_long"), V1_MALFORMED("v1_malformed"),
        V1_BAD_ADDRESS("v1_bad_address"), V1_BAD_PORT("v1_bad_port"), V2_BAD_VERSION("v2_bad_version"),
        V2_BAD_COMMAND("v2_bad_command"), V2_BAD_FAMILY("v2_bad_family"), V2_TOO_LONG("v2_too_long"),
        V2_BAD_LENGTH("v2_bad_length"), V2_BAD_TLV("v2_bad_tlv"), TIMEOUT("timeout"), UNTRUSTED("untrusted"),
        CLOSED("closed");

        private final String label;

        Failure(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** {@link #parse}: the header is not complete yet. */
    public static final int NEED_MORE = 0;
    /** The longest v1 header, CRLF included (spec section 2.1). */
    public static final int MAX_V1_LENGTH = 107;
    /** The most v2 bytes lb takes after the 16-byte fixed part: addresses and TLVs. */
    public static final int MAX_V2_LENGTH = 1024;
    /** The longest header of either version: what a reader must be able to hold while it is incomplete. */
    public static final int MAX_LENGTH = 16 + MAX_V2_LENGTH;

    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final byte[] V1_PREFIX = {'P', 'R', 'O', 'X', 'Y', ' '};
    static final int PP2_TYPE_AUTHORITY = 0x02;
    static final int PP2_TYPE_UNIQUE_ID = 0x05;

    private ProxyHeaderParser() {
    }

    /**
     * Looks at {@code in}'s bytes from position to limit (absolute reads: the buffer is not moved).
     *
     * @return the header's length (> 0) with {@code out} filled; {@link #NEED_MORE}; or a failure as
     *         {@code -(failure.ordinal() + 1)} (see {@link #failure(int)})
     */
    public static int parse(ByteBuffer in, Accept accept, ProxyHeader out) {
        out.clear();
        int from = in.position();
        int available = in.limit() - from;
        if (available == 0) {
            return NEED_MORE;
        }
        boolean maybeV1 = accept != Accept.V2 && matchesSoFar(in, from, available, V1_PREFIX);
        boolean maybeV2 = accept != Accept.V1 && matchesSoFar(in, from, available, V2_SIGNATURE);
        if (!maybeV1 && !maybeV2) {
            return fail(Failure.NOT_PROXY);
        }
        if (maybeV1) {
            return available < V1_PREFIX.length ? NEED_MORE : v1(in, from, available, out);
        }
        return available < 16 ? NEED_MORE : v2(in, from, available, out);
    }

    /** The failure a negative result of {@link #parse} stands for. */
    public static Failure failure(int result) {
        return Failure.values()[-result - 1];
    }

    private static int fail(Failure f) {
        return -(f.ordinal() + 1);
    }

    private static boolean matchesSoFar(ByteBuffer in, int from, int available, byte[] prefix) {
        int n = Math.min(available, prefix.length);
        for (int i = 0; i < n; i++) {
            if (in.get(from + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int v1(ByteBuffer in, int from, int available, ProxyHeader out) {
        int end = -1; // index of '\r'
        int scan = Math.min(available, MAX_V1_LENGTH);
        for (int i = V1_PREFIX.length; i < scan; i++) {
            byte c = in.get(from + i);
            if (c == '\r') {
                if (i + 1 >= available) {
                    return NEED_MORE;
                }
                if (in.get(from + i + 1) != '\n') {
                    return fail(Failure.V1_MALFORMED);
                }
                end = from + i;
                break;
            }
            if (c == '\n' || c < 0x20 || c > 0x7e) {
                return fail(Failure.V1_MALFORMED);
            }
        }
        if (end < 0) {
            return available >= MAX_V1_LENGTH ? fail(Failure.V1_TOO_LONG) : NEED_MORE;
        }
        int length = end + 2 - from;
        int at = from + V1_PREFIX.length;
        if (startsWith(in, at, end, "UNKNOWN")) {
            // Whatever follows UNKNOWN is to be ignored (spec 2.1): no addresses.
            int after = at + 7;
            if (after != end && in.get(after) != ' ') {
                return fail(Failure.V1_MALFORMED);
            }
            out.version = 1;
            out.headerLength = length;
            return length;
        }
        int addressLength;
        if (startsWith(in, at, end, "TCP4 ")) {
            addressLength = 4;
        } else if (startsWith(in, at, end, "TCP6 ")) {
            addressLength = 16;
        } else {
            return fail(Failure.V1_MALFORMED);
        }
        at += 5;
        int sourceEnd = indexOf(in, at, end, (byte) ' ');
        if (sourceEnd < 0 || !address(in, at, sourceEnd, addressLength, out.source)) {
            return fail(sourceEnd < 0 ? Failure.V1_MALFORMED : Failure.V1_BAD_ADDRESS);
        }
        at = sourceEnd + 1;
        int destinationEnd = indexOf(in, at, end, (byte) ' ');
        if (destinationEnd < 0 || !address(in, at, destinationEnd, addressLength, out.destination)) {
            return fail(destinationEnd < 0 ? Failure.V1_MALFORMED : Failure.V1_BAD_ADDRESS);
        }
        at = destinationEnd + 1;
        int sourcePortEnd = indexOf(in, at, end, (byte) ' ');
        if (sourcePortEnd < 0) {
            return fail(Failure.V1_MALFORMED);
        }
        int sourcePort = port(in, at, sourcePortEnd);
        int destinationPort = port(in, sourcePortEnd + 1, end);
        if (sourcePort < 0 || destinationPort < 0) {
            return fail(Failure.V1_BAD_PORT);
        }
        out.version = 1;
        out.addressLength = addressLength;
        out.sourcePort = sourcePort;
        out.destinationPort = destinationPort;
        out.headerLength = length;
        return length;
    }

    private static boolean address(ByteBuffer in, int from, int to, int length, byte[] into) {
        return length == 4 ? ProxyAddresses.parseIpv4(in, from, to, into, 0) : ProxyAddresses.parseIpv6(in, from, to, into);
    }

    /** A port 0..65535 from decimal digits without leading zeros, or -1. */
    private static int port(ByteBuffer in, int from, int to) {
        int digits = to - from;
        if (digits < 1 || digits > 5 || (digits > 1 && in.get(from) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            byte c = in.get(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= 65535 ? value : -1;
    }

    private static boolean startsWith(ByteBuffer in, int from, int to, String text) {
        if (to - from < text.length()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (in.get(from + i) != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(ByteBuffer in, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (in.get(i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static int v2(ByteBuffer in, int from, int available, ProxyHeader out) {
        int versionCommand = in.get(from + 12) & 0xff;
        if (versionCommand >> 4 != 2) {
            return fail(Failure.V2_BAD_VERSION);
        }
        int command = versionCommand & 0x0f;
        if (command > 1) {
            return fail(Failure.V2_BAD_COMMAND);
        }
        int familyProtocol = in.get(from + 13) & 0xff;
        int family = familyProtocol >> 4;
        int protocol = familyProtocol & 0x0f;
        if (family > 3 || protocol > 2) {
            return fail(Failure.V2_BAD_FAMILY);
        }
        int length = ((in.get(from + 14) & 0xff) << 8) | (in.get(from + 15) & 0xff);
        if (length > MAX_V2_LENGTH) {
            return fail(Failure.V2_TOO_LONG);
        }
        int addressBytes = switch (family) {
            case 1 -> 12;
            case 2 -> 36;
            case 3 -> 216;
            default -> 0;
        };
        if (length < addressBytes) {
            return fail(Failure.V2_BAD_LENGTH);
        }
        if (available < 16 + length) {
            return NEED_MORE;
        }
        int at = from + 16;
        // LOCAL (health checks, the proxy's own connections) and UNSPEC, UNIX or non-stream
        // connections carry no client address lb can use: the connection's own address stands.
        if (command == 1 && protocol == 1 && (family == 1 || family == 2)) {
            int n = family == 1 ? 4 : 16;
            for (int i = 0; i < n; i++) {
                out.source[i] = in.get(at + i);
                out.destination[i] = in.get(at + n + i);
            }
            out.sourcePort = ((in.get(at + 2 * n) & 0xff) << 8) | (in.get(at + 2 * n + 1) & 0xff);
            out.destinationPort = ((in.get(at + 2 * n + 2) & 0xff) << 8) | (in.get(at + 2 * n + 3) & 0xff);
            out.addressLength = n;
        }
        int tlv = at + addressBytes;
        int end = from + 16 + length;
        while (tlv < end) {
            if (end - tlv < 3) {
                return fail(Failure.V2_BAD_TLV);
            }
            int type = in.get(tlv) & 0xff;
            int tlvLength = ((in.get(tlv + 1) & 0xff) << 8) | (in.get(tlv + 2) & 0xff);
            int value = tlv + 3;
            if (tlvLength > end - value) {
                return fail(Failure.V2_BAD_TLV);
            }
            if (type == PP2_TYPE_UNIQUE_ID) {
                if (tlvLength > ProxyHeader.MAX_UNIQUE_ID) {
                    return fail(Failure.V2_BAD_TLV);
                }
                copy(in, value, tlvLength, out.uniqueId);
                out.uniqueIdLength = tlvLength;
            } else if (type == PP2_TYPE_AUTHORITY) {
                if (tlvLength > ProxyHeader.MAX_AUTHORITY) {
                    return fail(Failure.V2_BAD_TLV);
                }
                copy(in, value, tlvLength, out.authority);
                out.authorityLength = tlvLength;
            }
            tlv = value + tlvLength;
        }
        out.version = 2;
        out.headerLength = 16 + length;
        return out.headerLength;
    }

    private static void copy(ByteBuffer in, int from, int length, byte[] into) {
        for (int i = 0; i < length; i++) {
            into[i] = in.get(from + i);
        }
    }
}
