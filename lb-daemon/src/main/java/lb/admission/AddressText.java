package lb.admission;

/**
 * Any thread (stateless). IP address literals read and written as text, for configuration and for
 * operator listings (not for the data path). Only literals: a name is never resolved, and the
 * JDK's lenient forms ("10.1" for 10.0.0.1, "0x0a.0.0.1", "1234") are refused, because
 * {@code InetAddress.getByName} accepts them and would resolve anything else.
 *
 * <p>Addresses are two longs, {@code hi} and {@code lo}, the 128 bits of an IPv6 address; an IPv4
 * address is kept in its IPv4-mapped form {@code ::ffff:a.b.c.d} (RFC 4291 section 2.5.5.2), so
 * that one mask routine serves both families.
 */
final class AddressText {

    /** {@code lo} of {@code ::ffff:0.0.0.0}; an IPv4 address is {@code MAPPED_LO | v4}, hi 0. */
    static final long MAPPED_LO = 0xFFFF_0000_0000L;

    private AddressText() {
    }

    /** A literal read into the 128-bit form; {@code ipv4} when it was written as a dotted quad. */
    record Parsed(boolean ipv4, long hi, long lo) {
    }

    /**
     * Reads {@code text} (an address, no prefix) or throws IllegalArgumentException whose message
     * starts with {@code quoted} (the whole operator input, in quotes) and says what is wrong.
     */
    static Parsed parse(String text, String quoted) {
        if (text.isEmpty()) {
            throw notAPrefix(quoted);
        }
        if (text.indexOf(':') >= 0) {
            return parseIpv6(text, quoted);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < '0' || c > '9') && c != '.') {
                throw notAPrefix(quoted);
            }
        }
        return new Parsed(true, 0, MAPPED_LO | parseIpv4(text, quoted));
    }

    /** Text that is no literal at all, such as a host name (which is never looked up). */
    private static IllegalArgumentException notAPrefix(String quoted) {
        return new IllegalArgumentException(quoted + " is not an address prefix (write \"10.0.0.0/8\", "
                + "\"2001:db8::/32\", or one address)");
    }

    /** A strict dotted quad: four parts 0..255, no leading zeros (so no doubt about octal). */
    private static long parseIpv4(String text, String quoted) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(quoted + ": an IPv4 address has four parts, like 192.168.1.7");
        }
        long value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3) {
                throw new IllegalArgumentException(quoted + ": \"" + part + "\" is not an IPv4 part (0..255)");
            }
            if (part.length() > 1 && part.charAt(0) == '0') {
                throw new IllegalArgumentException(quoted + ": leading zero in " + part
                        + " (octal is not accepted; write " + Integer.parseInt(part) + ")");
            }
            int n = Integer.parseInt(part);
            if (n > 255) {
                throw new IllegalArgumentException(quoted + ": " + n + " is not an IPv4 part (0..255)");
            }
            value = (value << 8) | n;
        }
        return value;
    }

    /** RFC 4291 section 2.2 text: up to eight hex groups, one "::" at most, a dotted quad last. */
    private static Parsed parseIpv6(String text, String quoted) {
        if (text.indexOf('%') >= 0) {
            throw new IllegalArgumentException(quoted + ": zone ids (%...) are not accepted");
        }
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            throw new IllegalArgumentException(quoted + ": \"::\" may appear only once in an IPv6 address");
        }
        int[] head = gap < 0 ? groups(text, quoted, true) : groups(text.substring(0, gap), quoted, false);
        int[] tail = gap < 0 ? new int[0] : groups(text.substring(gap + 2), quoted, true);
        int count = head.length + tail.length;
        if (gap < 0 && count != 8) {
            throw new IllegalArgumentException(quoted + ": an IPv6 address has eight groups"
                    + " (or \"::\" for a run of zero groups), found " + count);
        }
        if (gap >= 0 && count > 7) {
            throw new IllegalArgumentException(quoted + ": too many groups around \"::\" (at most 7)");
        }
        int[] all = new int[8];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, 8 - tail.length, tail.length);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 4; i++) {
            hi = (hi << 16) | all[i];
            lo = (lo << 16) | all[i + 4];
        }
        return new Parsed(false, hi, lo);
    }

    /**
     * The 16-bit groups of one side of "::" ("" is none). A dotted quad may end the side that ends
     * the address ({@code last}) and counts as two groups.
     */
    private static int[] groups(String side, String quoted, boolean last) {
        if (side.isEmpty()) {
            return new int[0];
        }
        String[] parts = side.split(":", -1);
        boolean quad = last && parts[parts.length - 1].indexOf('.') >= 0;
        int[] out = new int[parts.length + (quad ? 1 : 0)];
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (quad && i == parts.length - 1) {
                long v4 = parseIpv4(part, quoted);
                out[i] = (int) (v4 >>> 16);
                out[i + 1] = (int) (v4 & 0xFFFF);
                break;
            }
            if (part.isEmpty() || part.length() > 4) {
                throw new IllegalArgumentException(quoted + ": \"" + part + "\" is not an IPv6 group"
                        + " (1 to 4 hex digits)");
            }
            int value = 0;
            for (int k = 0; k < part.length(); k++) {
                int digit = Character.digit(part.charAt(k), 16);
                if (digit < 0) {
                    throw new IllegalArgumentException(quoted + ": \"" + part + "\" is not an IPv6 group"
                            + " (1 to 4 hex digits)");
                }
                value = (value << 4) | digit;
            }
            out[i] = value;
        }
        return out;
    }

    /** An IPv4 address written as a dotted quad, an IPv6 address as RFC 5952 prefers. */
    static String format(boolean ipv4, long hi, long lo) {
        return ipv4 ? formatIpv4((int) lo) : formatIpv6(hi, lo);
    }

    private static String formatIpv4(int v4) {
        return (v4 >>> 24) + "." + ((v4 >>> 16) & 0xFF) + "." + ((v4 >>> 8) & 0xFF) + "." + (v4 & 0xFF);
    }

    /** RFC 5952 section 4: lower case, no leading zeros, the longest run (two or more, first on a tie) of zero groups as "::". */
    private static String formatIpv6(long hi, long lo) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
            g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && g[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(g[i]));
        }
        return out.toString();
    }
}
