package lb.admission;

import java.util.Arrays;

/**
 * Immutable; any thread. An IPv4 or IPv6 address prefix ("10.0.0.0/8", "2001:db8::/32"), read from
 * literal text only: a host name is refused, never looked up. An IPv4-mapped IPv6 prefix
 * (::ffff:192.0.2.0/120) is the IPv4 prefix it maps, as the JDK reports such clients as IPv4.
 */
public final class Cidr {

    private final byte[] address; // 4 or 16 bytes, host bits zero
    private final int prefixLength;

    private Cidr(byte[] address, int prefixLength) {
        this.address = address;
        this.prefixLength = prefixLength;
    }

    /** "a.b.c.d/n", "v6/n", or a bare address (one host); the message says what is wrong and how to write it. */
    public static Cidr parse(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        String host = slash < 0 ? t : t.substring(0, slash);
        byte[] address = host.indexOf(':') >= 0 ? ipv6(host) : ipv4(host);
        if (address == null) {
            throw new IllegalArgumentException(quote(text) + " is not an address prefix (write \"10.0.0.0/8\", "
                    + "\"2001:db8::/32\", or one address)");
        }
        int max = address.length * 8;
        int length = max;
        if (slash >= 0) {
            String bits = t.substring(slash + 1);
            if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(bits) > max) {
                throw new IllegalArgumentException(quote(text) + ": prefix length must be 0.." + max + " for "
                        + (max == 32 ? "IPv4" : "IPv6"));
            }
            length = Integer.parseInt(bits);
        }
        if (address.length == 16 && isMapped(address) && length >= 96) {
            address = Arrays.copyOfRange(address, 12, 16);
            length -= 96;
        }
        byte[] masked = mask(address, length);
        if (!Arrays.equals(masked, address)) {
            throw new IllegalArgumentException(quote(text) + ": host bits set after the prefix (did you mean "
                    + new Cidr(masked, length) + "?)");
        }
        return new Cidr(masked, length);
    }

    private static String quote(String text) {
        return "\"" + text + "\"";
    }

    /** Whether {@code candidate}'s first {@code length} bytes (4 or 16) fall in this prefix. */
    public boolean contains(byte[] candidate, int length) {
        if (length != address.length) {
            return false;
        }
        int full = prefixLength >>> 3;
        for (int i = 0; i < full; i++) {
            if (candidate[i] != address[i]) {
                return false;
            }
        }
        int rest = prefixLength & 7;
        if (rest == 0) {
            return true;
        }
        int m = (0xff << (8 - rest)) & 0xff;
        return (candidate[full] & m) == (address[full] & 0xff);
    }

    public boolean isIpv6() {
        return address.length == 16;
    }

    public int prefixLength() {
        return prefixLength;
    }

    /** A copy of the prefix's address (host bits zero). */
    public byte[] address() {
        return address.clone();
    }

    static byte[] mask(byte[] address, int prefixLength) {
        byte[] masked = address.clone();
        for (int bit = prefixLength; bit < masked.length * 8; bit++) {
            masked[bit >>> 3] &= (byte) ~(0x80 >>> (bit & 7));
        }
        return masked;
    }

    private static boolean isMapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    /** Dotted quad, each part 0..255 without leading zeros (which some tools read as octal). */
    static byte[] ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    /** RFC 4291 text: hex groups, one "::", an optional dotted-quad tail; no zone id. */
    static byte[] ipv6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        byte[] out = new byte[16];
        String head = gap >= 0 ? s.substring(0, gap) : s;
        String tail = gap >= 0 ? s.substring(gap + 2) : "";
        int[] headGroups = groups(head, false);
        int[] tailGroups = groups(tail, true);
        if (headGroups == null || tailGroups == null) {
            return null;
        }
        int total = headGroups.length + tailGroups.length;
        if (gap < 0 ? total != 8 : total > 7) {
            return null;
        }
        for (int i = 0; i < headGroups.length; i++) {
            out[2 * i] = (byte) (headGroups[i] >> 8);
            out[2 * i + 1] = (byte) headGroups[i];
        }
        for (int i = 0; i < tailGroups.length; i++) {
            int at = 8 - tailGroups.length + i;
            out[2 * at] = (byte) (tailGroups[i] >> 8);
            out[2 * at + 1] = (byte) tailGroups[i];
        }
        return out;
    }

    /** 16-bit groups of one side of "::" (a dotted quad may end the last side: two groups). */
    private static int[] groups(String side, boolean last) {
        if (side.isEmpty()) {
            return new int[0];
        }
        String[] parts = side.split(":", -1);
        int n = parts.length;
        boolean quadTail = parts[n - 1].indexOf('.') >= 0;
        int[] out = new int[quadTail ? n + 1 : n];
        for (int i = 0; i < n; i++) {
            String p = parts[i];
            if (i == n - 1 && quadTail) {
                byte[] v4 = ipv4(p);
                if (v4 == null) {
                    return null;
                }
                out[i] = (v4[0] & 0xff) << 8 | (v4[1] & 0xff);
                out[i + 1] = (v4[2] & 0xff) << 8 | (v4[3] & 0xff);
                continue;
            }
            if (p.isEmpty() || p.length() > 4) {
                return null;
            }
            int v = 0;
            for (int k = 0; k < p.length(); k++) {
                int d = Character.digit(p.charAt(k), 16);
                if (d < 0) {
                    return null;
                }
                v = v << 4 | d;
            }
            out[i] = v;
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.address, address);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(address) * 31 + prefixLength;
    }

    /** Canonical: "10.0.0.0/8", "2001:db8::/32" (the longest run of zero groups as "::"). */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (address.length == 4) {
            for (int i = 0; i < 4; i++) {
                b.append(i > 0 ? "." : "").append(address[i] & 0xff);
            }
        } else {
            int bestStart = -1;
            int bestLength = 1;
            for (int i = 0; i < 8; ) {
                int j = i;
                while (j < 8 && group(j) == 0) {
                    j++;
                }
                if (j - i > bestLength) {
                    bestStart = i;
                    bestLength = j - i;
                }
                i = j == i ? i + 1 : j;
            }
            for (int i = 0; i < 8; i++) {
                if (i == bestStart) {
                    b.append("::");
                    i += bestLength - 1;
                    continue;
                }
                if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                    b.append(':');
                }
                b.append(Integer.toHexString(group(i)));
            }
        }
        return b.append('/').append(prefixLength).toString();
    }

    private int group(int i) {
        return (address[2 * i] & 0xff) << 8 | (address[2 * i + 1] & 0xff);
    }
}
