package lb.admission;

/**
 * Any thread (immutable). An IPv4 or IPv6 prefix such as {@code 10.0.0.0/8} or {@code 2001:db8::/32};
 * a bare address is a /32 or /128. Read only from literals: a name is never resolved. An
 * IPv4-mapped IPv6 prefix of /96 or longer ({@code ::ffff:1.2.3.0/120}) is the IPv4 prefix it
 * stands for ({@code 1.2.3.0/24}), since clients arriving on a dual-stack socket are matched as
 * IPv4 (see {@link AddressBits}); an IPv6 prefix never matches an IPv4 client and vice versa.
 */
public final class Cidr {

    private final boolean ipv4;
    /** The address in {@link AddressText}'s 128-bit form, host bits clear. */
    private final long hi;
    private final long lo;
    /** 0..32 for IPv4, 0..128 for IPv6. */
    private final int prefixLength;

    private Cidr(boolean ipv4, long hi, long lo, int prefixLength) {
        this.ipv4 = ipv4;
        this.hi = hi;
        this.lo = lo;
        this.prefixLength = prefixLength;
    }

    /**
     * Reads "10.0.0.0/8", "192.168.1.7" (a /32), "2001:db8::/32" or "::1" (a /128). Throws
     * IllegalArgumentException with a message for the operator, quoting {@code text}: a name, a
     * malformed address, a prefix length out of range, or host bits set after the prefix.
     */
    public static Cidr parse(String text) {
        String quoted = "\"" + text + "\"";
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
        AddressText.Parsed address = AddressText.parse(addressText, quoted);
        boolean mapped = !address.ipv4() && AddressBits.isMapped(address.hi(), address.lo());
        int max = address.ipv4() ? 32 : 128;
        int length = slash < 0 ? max : prefixLength(trimmed.substring(slash + 1), max, quoted);
        boolean ipv4 = address.ipv4() || (mapped && length >= 96);
        int familyLength = ipv4 && !address.ipv4() ? length - 96 : length;
        int bits = AddressBits.bits128(ipv4, familyLength);
        long maskedHi = address.hi() & AddressBits.maskHi(bits);
        long maskedLo = address.lo() & AddressBits.maskLo(bits);
        Cidr cidr = new Cidr(ipv4, maskedHi, maskedLo, familyLength);
        if (maskedHi != address.hi() || maskedLo != address.lo()) {
            throw new IllegalArgumentException(quoted + ": host bits set after the prefix (did you mean "
                    + cidr + "?)");
        }
        return cidr;
    }

    private static int prefixLength(String text, int max, String quoted) {
        String family = max == 32 ? "IPv4" : "IPv6";
        boolean digits = !text.isEmpty() && text.length() <= 3 && text.chars().allMatch(c -> c >= '0' && c <= '9');
        int value = digits ? Integer.parseInt(text) : -1;
        if (value < 0 || value > max || (text.length() > 1 && text.charAt(0) == '0')) {
            throw new IllegalArgumentException(quoted + ": prefix length must be 0.." + max + " for " + family);
        }
        return value;
    }

    public boolean isIpv6() {
        return !ipv4;
    }

    /** A copy of the prefix's address, host bits zero: 4 bytes for IPv4, 16 for IPv6. */
    public byte[] address() {
        byte[] out = new byte[ipv4 ? 4 : 16];
        for (int i = 0; i < out.length; i++) {
            int bitFromEnd = 8 * (out.length - 1 - i);
            out[i] = (byte) (bitFromEnd < 64 ? lo >>> bitFromEnd : hi >>> (bitFromEnd - 64));
        }
        return out;
    }

    boolean isIpv4() {
        return ipv4;
    }

    /** 0..32 for IPv4, 0..128 for IPv6. */
    public int prefixLength() {
        return prefixLength;
    }

    /**
     * True when {@code address} (its first {@code length} bytes, 4 or 16; a 16-byte IPv4-mapped
     * address counts as IPv4) is of this family and inside this prefix. Allocates nothing.
     */
    public boolean contains(byte[] address, int length) {
        if (AddressBits.isIpv4(address, length) != ipv4) {
            return false;
        }
        int bits = bits128();
        return (AddressBits.hi(address, length) & AddressBits.maskHi(bits)) == hi
                && (AddressBits.lo(address, length) & AddressBits.maskLo(bits)) == lo;
    }

    /** The prefix length in the 128-bit form (an IPv4 /n is /96+n). */
    int bits128() {
        return AddressBits.bits128(ipv4, prefixLength);
    }

    long hi() {
        return hi;
    }

    long lo() {
        return lo;
    }

    /** Canonical: "10.0.0.0/8", "2001:db8::/32" (RFC 5952), always with the length. */
    @Override
    public String toString() {
        return AddressText.format(ipv4, hi, lo) + "/" + prefixLength;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && ipv4 == other.ipv4 && hi == other.hi && lo == other.lo
                && prefixLength == other.prefixLength;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hi * 31 + lo) * 31 + prefixLength * 2 + (ipv4 ? 1 : 0);
    }
}
