package lb.admission;

/**
 * Any thread (stateless). An address from a socket or a PROXY header ({@code byte[]}, 4 or 16 bytes
 * used) as the two longs of {@link AddressText}'s 128-bit form, and prefix masks over it; nothing
 * allocated. An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) is an IPv4 address here, as it is
 * to the JDK, so that a client is matched by IPv4 rules whichever form its address arrives in.
 */
final class AddressBits {

    private AddressBits() {
    }

    /** True for a 4-byte address and for a 16-byte IPv4-mapped one. */
    static boolean isIpv4(byte[] address, int length) {
        if (length == 4) {
            return true;
        }
        checkLength(length);
        return isMapped(hi(address, length), lo(address, length));
    }

    static boolean isMapped(long hi, long lo) {
        return hi == 0 && (lo >>> 32) == 0xFFFF;
    }

    /** The first 64 bits of the 128-bit form (0 for IPv4). */
    static long hi(byte[] address, int length) {
        return length == 4 ? 0 : readLong(address, 0);
    }

    /** The last 64 bits of the 128-bit form; an IPv4 address comes out mapped either way. */
    static long lo(byte[] address, int length) {
        if (length == 4) {
            return AddressText.MAPPED_LO | ((address[0] & 0xFFL) << 24 | (address[1] & 0xFF) << 16
                    | (address[2] & 0xFF) << 8 | (address[3] & 0xFF));
        }
        checkLength(length);
        return readLong(address, 8);
    }

    /** Big-endian, bytes {@code from..from+8}. */
    private static long readLong(byte[] address, int from) {
        long value = 0;
        for (int i = from; i < from + 8; i++) {
            value = (value << 8) | (address[i] & 0xFF);
        }
        return value;
    }

    private static void checkLength(int length) {
        if (length != 16) {
            throw new IllegalArgumentException("address length must be 4 or 16, got " + length);
        }
    }

    /** The mask over {@code hi} for a prefix of {@code bits} (0..128) of the 128-bit form. */
    static long maskHi(int bits) {
        // Java shifts a long by (n & 63): -1L << 64 would be -1, hence the explicit ends.
        return bits >= 64 ? -1L : bits == 0 ? 0 : -1L << (64 - bits);
    }

    /** The mask over {@code lo} for a prefix of {@code bits} (0..128) of the 128-bit form. */
    static long maskLo(int bits) {
        return bits <= 64 ? 0 : -1L << (128 - bits);
    }

    /** A prefix length in the 128-bit form: an IPv4 /n is a /(96+n) of its mapped form. */
    static int bits128(boolean ipv4, int prefixLength) {
        return ipv4 ? prefixLength + 96 : prefixLength;
    }
}
