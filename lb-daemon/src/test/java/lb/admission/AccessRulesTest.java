package lb.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Test thread. The longest prefix decides, a tie denies, an allow list refuses the rest, the
 * families never mix; and 11,000 random prefixes agree with a brute-force scan on 100,000 addresses.
 */
class AccessRulesTest {

    private static byte[] ip(String literal) throws Exception {
        return InetAddress.getByName(literal).getAddress();
    }

    private static boolean allows(AccessRules rules, String literal) throws Exception {
        byte[] address = ip(literal);
        return rules.allows(address, address.length);
    }

    private static List<Cidr> cidrs(String... texts) {
        return Arrays.stream(texts).map(Cidr::parse).toList();
    }

    @Test
    void longerDenyInsideAllowDenies() throws Exception {
        AccessRules rules = AccessRules.of(cidrs("10.0.0.0/8", "2001:db8::/32"), cidrs("10.1.0.0/16", "2001:db8:1::/48"));
        assertFalse(allows(rules, "10.1.2.3"));
        assertTrue(allows(rules, "10.2.0.1"));
        assertFalse(allows(rules, "11.0.0.1"), "an allow list refuses what it does not hold");
        assertFalse(allows(rules, "2001:db8:1::5"));
        assertTrue(allows(rules, "2001:db8:2::5"));
        assertFalse(allows(rules, "2001:db9::1"));
    }

    @Test
    void longerAllowInsideDenyAllows() throws Exception {
        AccessRules rules = AccessRules.of(cidrs("10.1.2.0/24"), cidrs("10.0.0.0/8"));
        assertTrue(allows(rules, "10.1.2.200"));
        assertFalse(allows(rules, "10.1.3.1"));
        AccessRules denyOnly = AccessRules.of(List.of(), cidrs("0.0.0.0/0"));
        assertFalse(allows(denyOnly, "192.0.2.1"));
        AccessRules hole = AccessRules.of(cidrs("192.0.2.7"), cidrs("0.0.0.0/0"));
        assertTrue(allows(hole, "192.0.2.7"));
        assertFalse(allows(hole, "192.0.2.8"));
    }

    @Test
    void theSamePrefixInBothListsDenies() throws Exception {
        AccessRules rules = AccessRules.of(cidrs("10.0.0.0/8", "192.0.2.0/24"), cidrs("192.0.2.0/24"));
        assertFalse(allows(rules, "192.0.2.1"));
        assertTrue(allows(rules, "10.0.0.1"));
    }

    @Test
    void withoutAnAllowListEverythingNotDeniedIsAllowed() throws Exception {
        AccessRules rules = AccessRules.of(List.of(), cidrs("203.0.113.0/24"));
        assertTrue(allows(rules, "198.51.100.1"));
        assertTrue(allows(rules, "2001:db8::1"));
        assertFalse(allows(rules, "203.0.113.9"));
        assertFalse(rules.isEmpty());
    }

    @Test
    void familiesNeverMix() throws Exception {
        AccessRules denyAllV6 = AccessRules.of(List.of(), cidrs("::/0"));
        assertTrue(allows(denyAllV6, "10.0.0.1"), "::/0 says nothing about IPv4");
        assertFalse(allows(denyAllV6, "::1"));
        AccessRules denyAllV4 = AccessRules.of(List.of(), cidrs("0.0.0.0/0"));
        assertTrue(allows(denyAllV4, "::1"));
        AccessRules v4Only = AccessRules.of(cidrs("0.0.0.0/0"), List.of());
        assertTrue(allows(v4Only, "10.0.0.1"));
        assertFalse(allows(v4Only, "2001:db8::1"), "an IPv4-only allow list refuses IPv6 clients");
        AccessRules zeroes = AccessRules.of(List.of(), cidrs("::/96"));
        assertTrue(allows(zeroes, "0.0.0.1"), "IPv4 0.0.0.1 is not IPv6 ::1 nor ::0.0.0.1");
        assertFalse(allows(zeroes, "::0.0.0.1"));
    }

    @Test
    void aMappedClientIsMatchedAsIpv4() {
        AccessRules rules = AccessRules.of(List.of(), cidrs("192.0.2.0/24"));
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = (byte) 192;
        mapped[14] = 2;
        assertFalse(rules.allows(mapped, 16));
        mapped[14] = 3;
        assertTrue(rules.allows(mapped, 16));
    }

    @Test
    void noneAllowsEverything() throws Exception {
        assertTrue(AccessRules.NONE.isEmpty());
        assertTrue(allows(AccessRules.NONE, "0.0.0.0"));
        assertTrue(allows(AccessRules.NONE, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        assertEquals("AccessRules[allow 0, deny 0]", AccessRules.NONE.toString());
    }

    /** A random prefix: IPv4 lengths 4..32, IPv6 12..128, so that some overlap and some nest. */
    private static Cidr randomCidr(Random random, boolean ipv4) {
        byte[] address = new byte[ipv4 ? 4 : 16];
        random.nextBytes(address);
        if (!ipv4) {
            address[0] = (byte) (0x20 | (address[0] & 0x01)); // two /7s, so that prefixes nest often
        } else {
            address[0] = (byte) (10 + (address[0] & 0x01));
        }
        int length = ipv4 ? 4 + random.nextInt(29) : 12 + random.nextInt(117);
        return Cidr.parse(text(maskBytes(address, length)) + "/" + length);
    }

    private static byte[] maskBytes(byte[] address, int length) {
        byte[] out = address.clone();
        for (int bit = length; bit < out.length * 8; bit++) {
            out[bit >>> 3] &= (byte) ~(0x80 >>> (bit & 7));
        }
        return out;
    }

    private static String text(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A prefix as the reference scan holds it: address and mask as two longs, built bit by bit. */
    private record Prefix(boolean ipv4, long hi, long lo, long maskHi, long maskLo, int length, boolean deny) {

        static Prefix of(Cidr cidr, boolean deny) {
            long[] address = bits(cidr.address());
            long[] mask = new long[2];
            int width = cidr.isIpv6() ? 128 : 32;
            for (int bit = 0; bit < cidr.prefixLength(); bit++) {
                int fromEnd = width - 1 - bit;
                mask[fromEnd >= 64 ? 0 : 1] |= 1L << (fromEnd & 63);
            }
            return new Prefix(!cidr.isIpv6(), address[0], address[1], mask[0], mask[1], cidr.prefixLength(), deny);
        }

        boolean holds(long[] address) {
            return ((address[0] ^ hi) & maskHi) == 0 && ((address[1] ^ lo) & maskLo) == 0;
        }
    }

    /** Big-endian: 4 bytes into the low half of [1], 16 bytes into [0] and [1]. */
    private static long[] bits(byte[] address) {
        long[] out = new long[2];
        for (int i = 0; i < address.length; i++) {
            int word = address.length == 16 && i < 8 ? 0 : 1;
            out[word] = (out[word] << 8) | (address[i] & 0xFF);
        }
        return out;
    }

    /**
     * The rule written out: scan every prefix of the address's family, keep the longest that holds
     * it, deny on a tie. Returns {with the allow list, with the deny list only}.
     */
    private static boolean[] reference(List<Prefix> prefixes, boolean haveAllowList, byte[] address) {
        long[] bits = bits(address);
        boolean ipv4 = address.length == 4;
        int bestAllow = -1;
        int bestDeny = -1;
        for (Prefix p : prefixes) {
            if (p.ipv4() == ipv4 && p.holds(bits)) {
                if (p.deny()) {
                    bestDeny = Math.max(bestDeny, p.length());
                } else {
                    bestAllow = Math.max(bestAllow, p.length());
                }
            }
        }
        boolean withAllow = bestAllow < 0 && bestDeny < 0 ? !haveAllowList : bestAllow > bestDeny;
        return new boolean[] {withAllow, bestDeny < 0};
    }

    @Test
    void tenThousandRandomDenyPrefixesAgreeWithABruteForceScan() {
        Random random = new Random(20261204);
        List<Cidr> deny = new ArrayList<>();
        List<Cidr> allow = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            deny.add(randomCidr(random, i % 2 == 0));
        }
        for (int i = 0; i < 1_000; i++) {
            allow.add(randomCidr(random, i % 2 == 0));
        }
        allow.add(deny.get(0)); // one exact tie
        List<Prefix> prefixes = new ArrayList<>();
        deny.forEach(c -> prefixes.add(Prefix.of(c, true)));
        allow.forEach(c -> prefixes.add(Prefix.of(c, false)));
        AccessRules withAllow = AccessRules.of(allow, deny);
        AccessRules denyOnly = AccessRules.of(List.of(), deny);
        int allowed = 0;
        for (int i = 0; i < 100_000; i++) {
            boolean ipv4 = random.nextBoolean();
            byte[] address = new byte[ipv4 ? 4 : 16];
            random.nextBytes(address);
            if (random.nextInt(4) != 0) { // mostly inside some prefix, at a random host
                List<Cidr> list = random.nextBoolean() ? deny : allow; // even indexes IPv4, odd IPv6
                Cidr near = list.get(random.nextInt(list.size() / 2) * 2 + (ipv4 ? 0 : 1));
                byte[] prefix = near.address();
                for (int bit = 0; bit < near.prefixLength(); bit++) {
                    int mask = 0x80 >>> (bit & 7);
                    address[bit >>> 3] = (byte) ((address[bit >>> 3] & ~mask) | (prefix[bit >>> 3] & mask));
                }
            }
            boolean[] expected = reference(prefixes, true, address);
            assertEquals(expected[0], withAllow.allows(address, address.length), () -> text(address));
            assertEquals(expected[1], denyOnly.allows(address, address.length), () -> text(address));
            allowed += expected[0] ? 1 : 0;
        }
        assertTrue(allowed > 5_000 && allowed < 95_000, "both verdicts exercised: " + allowed);
    }
}
