package lb.proxyproto;

import java.nio.ByteBuffer;

/**
 * Any thread (stateless). IP addresses as PROXY protocol v1 writes them, read and written without
 * allocating: IPv4 dotted quads (no leading zeros, so no octal doubt) and IPv6 text (RFC 4291
 * section 2.2, including "::" and a trailing dotted quad; written as RFC 5952 prefers).
 */
final class ProxyAddresses {

    private ProxyAddresses() {
    }

    /** Reads an IPv4 dotted quad from {@code b}'s bytes {@code from..to} (absolute) into {@code out[0..4)}; false if it is not one. */
    static boolean parseIpv4(ByteBuffer b, int from, int to, byte[] out, int outOffset) {
        int part = 0;
        int at = from;
        while (part < 4) {
            int start = at;
            int value = 0;
            while (at < to && b.get(at) >= '0' && b.get(at) <= '9') {
                value = value * 10 + (b.get(at) - '0');
                at++;
                if (at - start > 3) {
                    return false;
                }
            }
            int digits = at - start;
            if (digits == 0 || value > 255 || (digits > 1 && b.get(start) == '0')) {
                return false;
            }
            out[outOffset + part] = (byte) value;
            part++;
            if (part < 4) {
                if (at >= to || b.get(at) != '.') {
                    return false;
                }
                at++;
            }
        }
        return at == to;
    }

    /** Reads IPv6 text from {@code b}'s bytes {@code from..to} (absolute) into {@code out[0..16)}; false if it is not an address. */
    static boolean parseIpv6(ByteBuffer b, int from, int to, byte[] out) {
        int groups = 0; // 16-bit groups written so far
        int gap = -1; // group index where "::" stands
        int at = from;
        if (to - from < 2) {
            return false;
        }
        if (b.get(at) == ':') {
            if (b.get(at + 1) != ':') {
                return false;
            }
            gap = 0;
            at += 2;
            if (at == to) {
                java.util.Arrays.fill(out, 0, 16, (byte) 0);
                return true;
            }
        }
        while (at < to) {
            int start = at;
            int value = 0;
            while (at < to && hex(b.get(at)) >= 0 && at - start < 5) {
                value = (value << 4) | hex(b.get(at));
                at++;
            }
            int digits = at - start;
            if (at < to && b.get(at) == '.') {
                // A dotted quad: the last 32 bits.
                if (groups > 6 || !parseIpv4(b, start, to, out, groups * 2)) {
                    return false;
                }
                groups += 2;
                at = to;
                break;
            }
            if (digits == 0 || digits > 4 || groups == 8) {
                return false;
            }
            out[groups * 2] = (byte) (value >> 8);
            out[groups * 2 + 1] = (byte) value;
            groups++;
            if (at == to) {
                break;
            }
            if (b.get(at) != ':') {
                return false;
            }
            at++;
            if (at < to && b.get(at) == ':') {
                if (gap >= 0) {
                    return false; // "::" twice
                }
                gap = groups;
                at++;
            } else if (at == to) {
                return false; // a trailing single ':'
            }
        }
        if (gap < 0) {
            return groups == 8;
        }
        if (groups > 7) {
            return false; // "::" must stand for at least one group
        }
        int tail = groups - gap;
        System.arraycopy(out, gap * 2, out, 16 - tail * 2, tail * 2);
        java.util.Arrays.fill(out, gap * 2, 16 - tail * 2, (byte) 0);
        return true;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** Writes {@code address[0..length)} (4 or 16 bytes) as text; IPv6 with the longest zero run as "::". */
    static void write(byte[] address, int length, ByteBuffer out) {
        if (length == 4) {
            for (int i = 0; i < 4; i++) {
                if (i > 0) {
                    out.put((byte) '.');
                }
                writeDecimal(address[i] & 0xff, out);
            }
            return;
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not compressed (RFC 5952 section 4.2.2)
        for (int i = 0; i < 8; ) {
            if (group(address, i) == 0) {
                int j = i;
                while (j < 8 && group(address, j) == 0) {
                    j++;
                }
                if (j - i > bestLength) {
                    bestStart = i;
                    bestLength = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.put((byte) ':').put((byte) ':');
                i += bestLength - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLength) {
                out.put((byte) ':');
            }
            writeHex(group(address, i), out);
        }
    }

    private static int group(byte[] a, int i) {
        return ((a[i * 2] & 0xff) << 8) | (a[i * 2 + 1] & 0xff);
    }

    private static void writeHex(int value, ByteBuffer out) {
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            int digit = (value >> shift) & 0xf;
            if (digit != 0 || started || shift == 0) {
                out.put((byte) (digit < 10 ? '0' + digit : 'a' + digit - 10));
                started = true;
            }
        }
    }

    static void writeDecimal(int value, ByteBuffer out) {
        if (value >= 10) {
            writeDecimal(value / 10, out);
        }
        out.put((byte) ('0' + value % 10));
    }

    /** For logs and toString only (allocates). */
    static String text(byte[] address, int length) {
        ByteBuffer b = ByteBuffer.allocate(48);
        write(address, length, b);
        return new String(b.array(), 0, b.position(), java.nio.charset.StandardCharsets.US_ASCII);
    }
}
