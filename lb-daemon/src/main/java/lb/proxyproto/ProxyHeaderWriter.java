package lb.proxyproto;

import java.nio.ByteBuffer;

/**
 * Any thread (stateless). Writes the PROXY protocol header lb sends a backend before any client
 * byte, into a buffer the caller owns, without allocating. Without addresses (a health probe, or a
 * client lb cannot name) v1 says "UNKNOWN" and v2 says LOCAL.
 */
public final class ProxyHeaderWriter {

    /** The most bytes {@link #v2} writes: the fixed part, IPv6 addresses, and both TLVs at their longest. */
    public static final int MAX_V2_BYTES = 16 + 36 + 3 + ProxyHeader.MAX_UNIQUE_ID + 3 + ProxyHeader.MAX_AUTHORITY;
    private static final byte[] TCP4 = {'P', 'R', 'O', 'X', 'Y', ' ', 'T', 'C', 'P', '4', ' '};
    private static final byte[] TCP6 = {'P', 'R', 'O', 'X', 'Y', ' ', 'T', 'C', 'P', '6', ' '};
    private static final byte[] UNKNOWN = {'P', 'R', 'O', 'X', 'Y', ' ', 'U', 'N', 'K', 'N', 'O', 'W', 'N', '\r', '\n'};

    private ProxyHeaderWriter() {
    }

    /**
     * v1: "PROXY TCP4|TCP6 src dst sport dport\r\n" ({@code addressLength} 4 or 16), or "PROXY
     * UNKNOWN\r\n" when it is 0. At most 107 bytes.
     */
    public static void v1(ByteBuffer out, byte[] source, byte[] destination, int addressLength, int sourcePort,
                          int destinationPort) {
        if (addressLength == 0) {
            out.put(UNKNOWN);
            return;
        }
        out.put(addressLength == 4 ? TCP4 : TCP6);
        ProxyAddresses.write(source, addressLength, out);
        out.put((byte) ' ');
        ProxyAddresses.write(destination, addressLength, out);
        out.put((byte) ' ');
        ProxyAddresses.writeDecimal(sourcePort, out);
        out.put((byte) ' ');
        ProxyAddresses.writeDecimal(destinationPort, out);
        out.put((byte) '\r').put((byte) '\n');
    }

    /**
     * v2: PROXY over TCP with the addresses ({@code addressLength} 4 or 16), or LOCAL when it is 0;
     * then PP2_TYPE_UNIQUE_ID and PP2_TYPE_AUTHORITY when their length is 0 or more (-1: left out).
     */
    public static void v2(ByteBuffer out, byte[] source, byte[] destination, int addressLength, int sourcePort,
                          int destinationPort, byte[] uniqueId, int uniqueIdLength, byte[] authority,
                          int authorityLength) {
        if (uniqueIdLength > ProxyHeader.MAX_UNIQUE_ID || authorityLength > ProxyHeader.MAX_AUTHORITY) {
            throw new IllegalArgumentException("TLV too long");
        }
        out.put(ProxyHeaderParser.V2_SIGNATURE);
        int addressBytes = addressLength == 4 ? 12 : addressLength == 16 ? 36 : 0;
        int length = addressBytes + (uniqueIdLength >= 0 ? 3 + uniqueIdLength : 0)
                + (authorityLength >= 0 ? 3 + authorityLength : 0);
        out.put((byte) (addressLength == 0 ? 0x20 : 0x21)); // version 2; LOCAL or PROXY
        out.put((byte) (addressLength == 4 ? 0x11 : addressLength == 16 ? 0x21 : 0x00)); // TCP over IPv4/IPv6, or UNSPEC
        u16(out, length);
        if (addressLength != 0) {
            out.put(source, 0, addressLength);
            out.put(destination, 0, addressLength);
            u16(out, sourcePort);
            u16(out, destinationPort);
        }
        if (authorityLength >= 0) {
            tlv(out, ProxyHeaderParser.PP2_TYPE_AUTHORITY, authority, authorityLength);
        }
        if (uniqueIdLength >= 0) {
            tlv(out, ProxyHeaderParser.PP2_TYPE_UNIQUE_ID, uniqueId, uniqueIdLength);
        }
    }

    /**
     * v2 as above with PP2_TYPE_UNIQUE_ID holding {@code uniqueId} in decimal ASCII (the session id
     * the access log shows), or left out when it is negative; no authority.
     */
    public static void v2(ByteBuffer out, byte[] source, byte[] destination, int addressLength, int sourcePort,
                          int destinationPort, long uniqueId) {
        v2(out, source, destination, addressLength, sourcePort, destinationPort, uniqueId, null, -1);
    }

    /** As above, and PP2_TYPE_AUTHORITY (the TLS server name the client asked for) when its length is 0 or more. */
    public static void v2(ByteBuffer out, byte[] source, byte[] destination, int addressLength, int sourcePort,
                          int destinationPort, long uniqueId, byte[] authority, int authorityLength) {
        if (authorityLength > ProxyHeader.MAX_AUTHORITY) {
            throw new IllegalArgumentException("TLV too long");
        }
        out.put(ProxyHeaderParser.V2_SIGNATURE);
        int addressBytes = addressLength == 4 ? 12 : addressLength == 16 ? 36 : 0;
        int digits = uniqueId < 0 ? -1 : decimalDigits(uniqueId);
        out.put((byte) (addressLength == 0 ? 0x20 : 0x21));
        out.put((byte) (addressLength == 4 ? 0x11 : addressLength == 16 ? 0x21 : 0x00));
        u16(out, addressBytes + (digits >= 0 ? 3 + digits : 0) + (authorityLength >= 0 ? 3 + authorityLength : 0));
        if (addressLength != 0) {
            out.put(source, 0, addressLength);
            out.put(destination, 0, addressLength);
            u16(out, sourcePort);
            u16(out, destinationPort);
        }
        if (authorityLength >= 0) {
            tlv(out, ProxyHeaderParser.PP2_TYPE_AUTHORITY, authority, authorityLength);
        }
        if (digits >= 0) {
            out.put((byte) ProxyHeaderParser.PP2_TYPE_UNIQUE_ID);
            u16(out, digits);
            int end = out.position() + digits;
            long rest = uniqueId;
            for (int i = end - 1; i >= end - digits; i--) {
                out.put(i, (byte) ('0' + rest % 10));
                rest /= 10;
            }
            out.position(end);
        }
    }

    static int decimalDigits(long value) {
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        return digits;
    }

    /** Network byte order whatever the buffer's order. */
    private static void u16(ByteBuffer out, int value) {
        out.put((byte) (value >> 8)).put((byte) value);
    }

    private static void tlv(ByteBuffer out, int type, byte[] value, int length) {
        out.put((byte) type);
        u16(out, length);
        out.put(value, 0, length);
    }
}
