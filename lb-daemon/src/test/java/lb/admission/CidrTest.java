package lb.admission;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

/**
 * Test thread. Prefixes read from literals only, with messages an operator can act on; the
 * canonical text; {@code contains} at the first and last address of a prefix and one either side.
 */
class CidrTest {

    private static byte[] ip(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    /** A literal's bytes, as the JDK reads it (literals only in this test, so nothing is looked up). */
    private static byte[] ip(String literal) throws Exception {
        return InetAddress.getByName(literal).getAddress();
    }

    private static byte[] mapped(int a, int b, int c, int d) {
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        out[12] = (byte) a;
        out[13] = (byte) b;
        out[14] = (byte) c;
        out[15] = (byte) d;
        return out;
    }

    private static String message(String text) {
        return assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text)).getMessage();
    }

    @Test
    void validPrefixesReadAndPrintCanonically() {
        assertEquals("10.0.0.0/8", Cidr.parse("10.0.0.0/8").toString());
        assertEquals("192.168.1.7/32", Cidr.parse("192.168.1.7").toString());
        assertEquals("0.0.0.0/0", Cidr.parse("0.0.0.0/0").toString());
        assertEquals("2001:db8::/32", Cidr.parse("2001:db8::/32").toString());
        assertEquals("2001:db8::/32", Cidr.parse("2001:0DB8:0000::/32").toString());
        assertEquals("::1/128", Cidr.parse("::1").toString());
        assertEquals("::/0", Cidr.parse("::/0").toString());
        assertEquals("1::/16", Cidr.parse("1:0:0:0:0:0:0:0/16").toString());
        assertEquals("2001:db8:0:1:1:1:1:1/128", Cidr.parse("2001:db8:0:1:1:1:1:1").toString(),
                "RFC 5952 4.2.2: one zero group is not shortened");
        assertEquals("2001:0:0:1::1/128", Cidr.parse("2001:0:0:1:0:0:0:1").toString(), "the longer run");
        assertEquals("2001:db8::1:0:0:1/128", Cidr.parse("2001:db8:0:0:1:0:0:1").toString(), "the first of equal runs");
        assertEquals("::102:304/128", Cidr.parse("::1.2.3.4").toString(), "IPv4-compatible is plain IPv6");
        assertEquals("10.0.0.0/8", Cidr.parse(" 10.0.0.0/8 ").toString(), "surrounding blanks ignored");
        assertEquals(8, Cidr.parse("10.0.0.0/8").prefixLength());
        assertTrue(Cidr.parse("::1").isIpv6());
        assertFalse(Cidr.parse("10.0.0.0/8").isIpv6());
        assertArrayEquals(ip(10, 0, 0, 0), Cidr.parse("10.0.0.0/8").address());
    }

    @Test
    void mappedPrefixesAreTheirIpv4Prefix() throws Exception {
        Cidr cidr = Cidr.parse("::ffff:1.2.3.0/120");
        assertEquals("1.2.3.0/24", cidr.toString());
        assertEquals(Cidr.parse("1.2.3.0/24"), cidr);
        assertEquals(Cidr.parse("1.2.3.4"), Cidr.parse("::ffff:1.2.3.4"));
        assertEquals(Cidr.parse("1.2.3.4"), Cidr.parse("::FFFF:102:304"));
        assertEquals("0.0.0.0/0", Cidr.parse("::ffff:0:0/96").toString());
        assertEquals("::/80", Cidr.parse("::/80").toString(), "covers more than IPv4: stays IPv6");
        assertEquals("::fffe:0:0/95", Cidr.parse("::fffe:0:0/95").toString());
        assertTrue(Cidr.parse("::ffff:1.2.3.0/120").contains(ip(1, 2, 3, 99), 4));
        assertTrue(Cidr.parse("1.2.3.0/24").contains(mapped(1, 2, 3, 99), 16), "a mapped client is an IPv4 client");
        assertFalse(Cidr.parse("1.2.3.0/24").contains(mapped(1, 2, 4, 0), 16));
        assertFalse(Cidr.parse("::/0").contains(mapped(1, 2, 3, 4), 16), "IPv6 prefixes do not match IPv4 clients");
        assertFalse(Cidr.parse("::/0").contains(ip(1, 2, 3, 4), 4));
        assertTrue(Cidr.parse("::/0").contains(ip("2001:db8::1"), 16));
    }

    @Test
    void badInputGetsAMessageSayingWhatIsWrong() {
        assertEquals("\"10.0.0.0/33\": prefix length must be 0..32 for IPv4", message("10.0.0.0/33"));
        assertEquals("\"2001:db8::/129\": prefix length must be 0..128 for IPv6", message("2001:db8::/129"));
        assertEquals("\"10.0.0.0/\": prefix length must be 0..32 for IPv4", message("10.0.0.0/"));
        assertEquals("\"10.0.0.0/-1\": prefix length must be 0..32 for IPv4", message("10.0.0.0/-1"));
        assertEquals("\"10.0.0.0/08\": prefix length must be 0..32 for IPv4", message("10.0.0.0/08"));
        assertEquals("\"10.0.0.0/8/8\": prefix length must be 0..32 for IPv4", message("10.0.0.0/8/8"));
        assertEquals("\"10.0.0.1/8\": host bits set after the prefix (did you mean 10.0.0.0/8?)", message("10.0.0.1/8"));
        assertEquals("\"2001:db8::1/32\": host bits set after the prefix (did you mean 2001:db8::/32?)",
                message("2001:db8::1/32"));
        assertEquals("\"::ffff:1.2.3.4/120\": host bits set after the prefix (did you mean 1.2.3.0/24?)",
                message("::ffff:1.2.3.4/120"));
        String notAPrefix = " is not an address prefix (write \"10.0.0.0/8\", \"2001:db8::/32\", or one address)";
        assertEquals("\"localhost\"" + notAPrefix, message("localhost"), "names are refused, not looked up");
        assertEquals("\"lb.example/24\"" + notAPrefix, message("lb.example/24"));
        assertEquals("\"\"" + notAPrefix, message(""));
        assertEquals("\"/8\"" + notAPrefix, message("/8"));
        assertEquals("\"0x0a.0.0.1\"" + notAPrefix, message("0x0a.0.0.1"));
        assertEquals("\"10.1\": an IPv4 address has four parts, like 192.168.1.7", message("10.1"),
                "the JDK would read 10.1 as 10.0.0.1");
        assertEquals("\"1234\": an IPv4 address has four parts, like 192.168.1.7", message("1234"));
        assertEquals("\"1.2.3.4.5\": an IPv4 address has four parts, like 192.168.1.7", message("1.2.3.4.5"));
        assertEquals("\"10.0.0.256\": 256 is not an IPv4 part (0..255)", message("10.0.0.256"));
        assertEquals("\"10..0.1\": \"\" is not an IPv4 part (0..255)", message("10..0.1"));
        assertEquals("\"010.0.0.1\": leading zero in 010 (octal is not accepted; write 10)", message("010.0.0.1"));
        assertEquals("\"fe80::1%eth0\": zone ids (%...) are not accepted", message("fe80::1%eth0"));
        assertEquals("\"1::2::3\": \"::\" may appear only once in an IPv6 address", message("1::2::3"));
        assertEquals("\"1:2:3:4:5:6:7\": an IPv6 address has eight groups (or \"::\" for a run of zero groups),"
                + " found 7", message("1:2:3:4:5:6:7"));
        assertEquals("\"1:2:3:4:5:6:7:8:9\": an IPv6 address has eight groups (or \"::\" for a run of zero groups),"
                + " found 9", message("1:2:3:4:5:6:7:8:9"));
        assertEquals("\"1:2:3:4::5:6:7:8\": too many groups around \"::\" (at most 7)", message("1:2:3:4::5:6:7:8"));
        assertEquals("\"2001:db8:12345::\": \"12345\" is not an IPv6 group (1 to 4 hex digits)",
                message("2001:db8:12345::"));
        assertEquals("\"2001:dg8::\": \"dg8\" is not an IPv6 group (1 to 4 hex digits)", message("2001:dg8::"));
        assertEquals("\":1::\": \"\" is not an IPv6 group (1 to 4 hex digits)", message(":1::"));
        assertEquals("\"1.2.3.4::\": \"1.2.3.4\" is not an IPv6 group (1 to 4 hex digits)", message("1.2.3.4::"),
                "a dotted quad only ends an address");
        assertEquals("\"::ffff:1.2.3\": an IPv4 address has four parts, like 192.168.1.7", message("::ffff:1.2.3"));
    }

    @Test
    void containsHoldsFromTheFirstToTheLastAddressOfThePrefix() throws Exception {
        Cidr net = Cidr.parse("192.168.4.0/22");
        assertFalse(net.contains(ip(192, 168, 3, 255), 4));
        assertTrue(net.contains(ip(192, 168, 4, 0), 4));
        assertTrue(net.contains(ip(192, 168, 7, 255), 4));
        assertFalse(net.contains(ip(192, 168, 8, 0), 4));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(ip(255, 255, 255, 255), 4));
        assertTrue(Cidr.parse("10.0.0.7").contains(ip(10, 0, 0, 7), 4));
        assertFalse(Cidr.parse("10.0.0.7").contains(ip(10, 0, 0, 6), 4));

        Cidr v6 = Cidr.parse("2001:db8:0:ff80::/57");
        assertFalse(v6.contains(ip("2001:db8:0:ff7f:ffff:ffff:ffff:ffff"), 16));
        assertTrue(v6.contains(ip("2001:db8:0:ff80::"), 16));
        assertTrue(v6.contains(ip("2001:db8:0:ffff:ffff:ffff:ffff:ffff"), 16));
        assertFalse(v6.contains(ip("2001:db8:1::"), 16));
        Cidr wide = Cidr.parse("2001:db8::/64");
        assertTrue(wide.contains(ip("2001:db8::ffff:ffff:ffff:ffff"), 16));
        assertFalse(wide.contains(ip("2001:db8:0:1::"), 16));
        Cidr deep = Cidr.parse("2001:db8::8000/113");
        assertTrue(deep.contains(ip("2001:db8::ffff"), 16));
        assertFalse(deep.contains(ip("2001:db8::7fff"), 16));
        assertTrue(Cidr.parse("::1").contains(ip("::1"), 16));
        assertFalse(Cidr.parse("::1").contains(ip("::2"), 16));
        assertFalse(Cidr.parse("10.0.0.0/8").contains(ip("a00::"), 16), "the families never mix");
    }

    @Test
    void containsReadsOnlyTheGivenLength() {
        byte[] buffer = {10, 1, 2, 3, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};
        assertTrue(Cidr.parse("10.1.2.3").contains(buffer, 4));
        byte[] longer = new byte[20];
        longer[0] = 0x20;
        longer[1] = 0x01;
        longer[16] = 1;
        assertTrue(Cidr.parse("2001::").contains(longer, 16));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("::/0").contains(longer, 5));
    }

    @Test
    void equalPrefixesAreEqual() {
        assertEquals(Cidr.parse("2001:db8::/32"), Cidr.parse("2001:0db8:0:0:0:0:0:0/32"));
        assertEquals(Cidr.parse("2001:db8::/32").hashCode(), Cidr.parse("2001:0db8:0:0:0:0:0:0/32").hashCode());
        assertNotEquals(Cidr.parse("10.0.0.0/8"), Cidr.parse("10.0.0.0/9"));
        assertNotEquals(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0"));
        assertNotEquals(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/80"));
    }
}
