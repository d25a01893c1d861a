package lb.admission;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Any thread (immutable). Allow and deny prefixes for client addresses. The longest prefix holding
 * the address decides, from either list; a prefix in both lists denies; an address no prefix holds
 * is allowed only when the allow list is empty (an allow list means "these and no others", for
 * both families: an IPv4-only allow list refuses every IPv6 client). IPv4 prefixes match only IPv4
 * clients (a 16-byte IPv4-mapped address included), IPv6 prefixes only IPv6 clients, so "::/0"
 * says nothing about IPv4. {@link #allows} allocates nothing and probes at most once per distinct
 * prefix length (see {@link PrefixTable}), however long the lists.
 */
public final class AccessRules {

    /** Allows every address. */
    public static final AccessRules NONE = of(List.of(), List.of());

    private final PrefixTable ipv4;
    private final PrefixTable ipv6;
    private final boolean allowByDefault;
    private final int allowCount;
    private final int denyCount;

    private AccessRules(PrefixTable ipv4, PrefixTable ipv6, boolean allowByDefault, int allowCount, int denyCount) {
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.allowByDefault = allowByDefault;
        this.allowCount = allowCount;
        this.denyCount = denyCount;
    }

    public static AccessRules of(List<Cidr> allow, List<Cidr> deny) {
        Map<Cidr, Boolean> v4 = new LinkedHashMap<>();
        Map<Cidr, Boolean> v6 = new LinkedHashMap<>();
        for (Cidr cidr : allow) {
            (cidr.isIpv4() ? v4 : v6).put(cidr, false);
        }
        for (Cidr cidr : deny) {
            (cidr.isIpv4() ? v4 : v6).put(cidr, true); // after allow: the same prefix in both denies
        }
        return new AccessRules(new PrefixTable(v4), new PrefixTable(v6), allow.isEmpty(), allow.size(), deny.size());
    }

    /** Whether a client at {@code address} (its first {@code length} bytes, 4 or 16) may connect. */
    public boolean allows(byte[] address, int length) {
        PrefixTable table = AddressBits.isIpv4(address, length) ? ipv4 : ipv6;
        int verdict = table.lookup(AddressBits.hi(address, length), AddressBits.lo(address, length));
        return verdict == PrefixTable.NO_MATCH ? allowByDefault : verdict == PrefixTable.ALLOW;
    }

    /** True when both lists are empty: every address is allowed. */
    public boolean isEmpty() {
        return allowCount == 0 && denyCount == 0;
    }

    @Override
    public String toString() {
        return "AccessRules[allow " + allowCount + ", deny " + denyCount + "]";
    }
}
