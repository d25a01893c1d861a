package lb.proxyproto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import lb.proxyproto.ProxyHeaderParser.Accept;
import lb.proxyproto.ProxyHeaderParser.Failure;

/**
 * Test thread. The PROXY protocol codec against byte-exact vectors (the spec's own examples and
 * hand-assembled v2 headers), every malformed case we could name, headers arriving a byte at a
 * time, and random mutations of valid headers.
 */
class ProxyHeaderTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String SIG = "0d0a0d0a000d0a515549540a";

    private final ProxyHeader header = new ProxyHeader();

    private static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length + 8);
        b.put(bytes).flip();
        return b;
    }

    private int parse(byte[] bytes, Accept accept) {
        return ProxyHeaderParser.parse(direct(bytes), accept, header);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] ip(String literal) throws Exception {
        return InetAddress.getByName(literal).getAddress();
    }

    /** 16 bytes even for an IPv4-mapped literal (which the JDK turns into an IPv4 address). */
    private static byte[] ip16(String literal) throws Exception {
        byte[] a = ip(literal);
        if (a.length == 16) {
            return a;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(a, 0, mapped, 12, 4);
        return mapped;
    }

    @Test
    void v1Tcp4AsTheSpecWritesIt() throws Exception {
        byte[] line = ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n");
        assertEquals(line.length, parse(line, Accept.ANY));
        assertEquals(1, header.version());
        assertEquals(4, header.addressLength());
        assertArrayEquals(ip("192.168.0.1"), Arrays.copyOf(header.source(), 4));
        assertArrayEquals(ip("192.168.0.11"), Arrays.copyOf(header.destination(), 4));
        assertEquals(56324, header.sourcePort());
        assertEquals(443, header.destinationPort());
        assertArrayEquals(line, written(b -> ProxyHeaderWriter.v1(b, ip("192.168.0.1"), ip("192.168.0.11"), 4, 56324, 443)));
    }

    @Test
    void v1Tcp6ReadsEveryTextFormAndWritesTheShortest() throws Exception {
        String[][] forms = {
            {"2001:db8::1", "2001:db8::1"}, {"::1", "::1"}, {"::", "::"}, {"1::", "1::"},
            {"2001:DB8:0:0:0:0:0:1", "2001:db8::1"}, {"::ffff:10.0.0.1", "::ffff:a00:1"},
            {"1:0:0:2:0:0:0:3", "1:0:0:2::3"}, {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"}, {"1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"},
        };
        for (String[] form : forms) {
            byte[] line = ascii("PROXY TCP6 " + form[0] + " ::1 1 65535\r\n");
            assertEquals(line.length, parse(line, Accept.V1), form[0]);
            assertArrayEquals(ip16(form[0]), Arrays.copyOf(header.source(), 16), form[0]);
            assertEquals(16, header.addressLength());
            assertEquals(65535, header.destinationPort());
            byte[] canonical = ascii("PROXY TCP6 " + form[1] + " ::1 1 65535\r\n");
            assertArrayEquals(canonical, written(b -> ProxyHeaderWriter.v1(b, ip16(form[0]), ip16("::1"), 16, 1, 65535)),
                    form[0]);
        }
    }

    @Test
    void v1UnknownCarriesNoAddresses() throws Exception {
        for (String line : List.of("PROXY UNKNOWN\r\n", "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n")) {
            assertEquals(line.length(), parse(ascii(line), Accept.ANY), line);
            assertFalse(header.hasAddresses());
            assertEquals(1, header.version());
        }
        assertArrayEquals(ascii("PROXY UNKNOWN\r\n"), written(b -> ProxyHeaderWriter.v1(b, null, null, 0, 0, 0)));
        String longest = "PROXY UNKNOWN " + "x".repeat(107 - 16) + "\r\n";
        assertEquals(107, longest.length());
        assertEquals(107, parse(ascii(longest), Accept.V1), "107 bytes is the most, and allowed");
    }

    @Test
    void v2Ipv4WithTlvsByteForByte() throws Exception {
        String expected = SIG + "21" + "11" + "0012" + "7f000001" + "0a000002" + "d431" + "01bb"
                + "05" + "0003" + "616263"; // PP2_TYPE_UNIQUE_ID "abc"
        byte[] bytes = HEX.parseHex(expected);
        assertEquals(bytes.length, parse(bytes, Accept.ANY));
        assertEquals(2, header.version());
        assertArrayEquals(ip("127.0.0.1"), Arrays.copyOf(header.source(), 4));
        assertArrayEquals(ip("10.0.0.2"), Arrays.copyOf(header.destination(), 4));
        assertEquals(54321, header.sourcePort());
        assertEquals(443, header.destinationPort());
        assertEquals(3, header.uniqueIdLength());
        assertEquals("abc", new String(header.uniqueId(), 0, 3, StandardCharsets.US_ASCII));
        assertEquals(-1, header.authorityLength());
        assertEquals(expected, HEX.formatHex(written(b -> ProxyHeaderWriter.v2(b, ip("127.0.0.1"), ip("10.0.0.2"), 4,
                54321, 443, ascii("abc"), 3, null, -1))));
    }

    @Test
    void v2WithTheSessionIdWrittenInDecimal() throws Exception {
        for (long id : new long[] {0, 7, 10, 4097, 99_999, Long.MAX_VALUE}) {
            byte[] digits = ascii(Long.toString(id));
            assertArrayEquals(written(b -> ProxyHeaderWriter.v2(b, ip("192.0.2.1"), ip("192.0.2.2"), 4, 1, 2, digits,
                    digits.length, null, -1)), written(b -> ProxyHeaderWriter.v2(b, ip("192.0.2.1"), ip("192.0.2.2"), 4,
                    1, 2, id)), "id " + id);
        }
        assertArrayEquals(written(b -> ProxyHeaderWriter.v2(b, null, null, 0, 0, 0, null, -1, null, -1)),
                written(b -> ProxyHeaderWriter.v2(b, new byte[16], new byte[16], 0, 0, 0, -1)), "LOCAL, no id");
    }

    @Test
    void v2Ipv6WithAuthorityAndLocal() throws Exception {
        String expected = SIG + "21" + "21" + "0030" + "20010db8000000000000000000000001" + "00000000000000000000000000000001"
                + "0050" + "1f90" + "02" + "0009" + HEX.formatHex(ascii("a.example"));
        byte[] bytes = HEX.parseHex(expected);
        assertEquals(bytes.length, parse(bytes, Accept.V2));
        assertArrayEquals(ip("2001:db8::1"), Arrays.copyOf(header.source(), 16));
        assertEquals(80, header.sourcePort());
        assertEquals(8080, header.destinationPort());
        assertEquals("a.example", new String(header.authority(), 0, header.authorityLength(), StandardCharsets.US_ASCII));
        assertEquals(expected, HEX.formatHex(written(b -> ProxyHeaderWriter.v2(b, ip("2001:db8::1"), ip("::1"), 16, 80,
                8080, null, -1, ascii("a.example"), 9))));

        byte[] local = HEX.parseHex(SIG + "20" + "00" + "0000");
        assertEquals(16, parse(local, Accept.ANY));
        assertFalse(header.hasAddresses(), "LOCAL: the connection's own address stands");
        assertArrayEquals(local, written(b -> ProxyHeaderWriter.v2(b, null, null, 0, 0, 0, null, -1, null, -1)));
        // PROXY over UNIX sockets or UNSPEC: accepted, no address lb can use.
        byte[] unix = new byte[16 + 216];
        System.arraycopy(HEX.parseHex(SIG + "21" + "31" + "00d8"), 0, unix, 0, 16);
        assertEquals(unix.length, parse(unix, Accept.ANY));
        assertFalse(header.hasAddresses());
        // An unknown TLV type is stepped over.
        byte[] other = HEX.parseHex(SIG + "21" + "11" + "0010" + "7f000001" + "7f000002" + "0001" + "0002" + "e0" + "0001" + "ff");
        assertEquals(other.length, parse(other, Accept.ANY));
        assertEquals(-1, header.uniqueIdLength());
    }

    @Test
    void everyMalformedHeaderIsRefusedWithItsReason() {
        Object[][] cases = {
            {"GET / HTTP/1.1\r\n", Failure.NOT_PROXY}, {"PROXI TCP4", Failure.NOT_PROXY}, {"proxy TCP4", Failure.NOT_PROXY},
            {"PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n", Failure.V1_MALFORMED},
            {"PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n", Failure.V1_MALFORMED},
            {"PROXY TCP4 1.2.3.4 1.2.3.4 1 2\rX", Failure.V1_MALFORMED},
            {"PROXY TCP4  1.2.3.4 1.2.3.4 1 2\r\n", Failure.V1_BAD_ADDRESS},
            {"PROXY TCP4 1.2.3.4 1.2.3.4 1 2 \r\n", Failure.V1_BAD_PORT},
            {"PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n", Failure.V1_MALFORMED},
            {"PROXY TCP4 256.2.3.4 1.2.3.4 1 2\r\n", Failure.V1_BAD_ADDRESS},
            {"PROXY TCP4 01.2.3.4 1.2.3.4 1 2\r\n", Failure.V1_BAD_ADDRESS},
            {"PROXY TCP4 1.2.3 1.2.3.4 1 2\r\n", Failure.V1_BAD_ADDRESS},
            {"PROXY TCP4 ::1 1.2.3.4 1 2\r\n", Failure.V1_BAD_ADDRESS},
            {"PROXY TCP6 1.2.3.4 ::1 1 2\r\n", Failure.V1_BAD_ADDRESS},
            {"PROXY TCP6 1::2::3 ::1 1 2\r\n", Failure.V1_BAD_ADDRESS},
            {"PROXY TCP6 12345::1 ::1 1 2\r\n", Failure.V1_BAD_ADDRESS},
            {"PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n", Failure.V1_BAD_ADDRESS},
            {"PROXY TCP6 1:2:3:4:5:6:7 ::1 1 2\r\n", Failure.V1_BAD_ADDRESS},
            {"PROXY TCP6 :1 ::1 1 2\r\n", Failure.V1_BAD_ADDRESS},
            {"PROXY TCP4 1.2.3.4 1.2.3.4 65536 2\r\n", Failure.V1_BAD_PORT},
            {"PROXY TCP4 1.2.3.4 1.2.3.4 01 2\r\n", Failure.V1_BAD_PORT},
            {"PROXY TCP4 1.2.3.4 1.2.3.4 -1 2\r\n", Failure.V1_BAD_PORT},
            {"PROXY TCP4 1.2.3.4 1.2.3.4 1 2x\r\n", Failure.V1_BAD_PORT},
            {"PROXY UNKNOWNX\r\n", Failure.V1_MALFORMED},
            {"PROXY TCP4 1.2.3.4\u0000 1.2.3.4 1 2\r\n", Failure.V1_MALFORMED},
            {"PROXY UNKNOWN " + "x".repeat(120), Failure.V1_TOO_LONG},
        };
        for (Object[] c : cases) {
            int result = parse(ascii((String) c[0]), Accept.ANY);
            assertTrue(result < 0, c[0] + " -> " + result);
            assertEquals(c[1], ProxyHeaderParser.failure(result), (String) c[0]);
        }
        Object[][] v2 = {
            {SIG + "11" + "11" + "000c", Failure.V2_BAD_VERSION}, {SIG + "22" + "11" + "000c", Failure.V2_BAD_COMMAND},
            {SIG + "21" + "41" + "000c", Failure.V2_BAD_FAMILY}, {SIG + "21" + "13" + "000c", Failure.V2_BAD_FAMILY},
            {SIG + "21" + "11" + "000b" + "00".repeat(11), Failure.V2_BAD_LENGTH},
            {SIG + "21" + "21" + "000c" + "00".repeat(12), Failure.V2_BAD_LENGTH},
            {SIG + "21" + "11" + "ffff", Failure.V2_TOO_LONG},
            {SIG + "21" + "11" + "000e" + "00".repeat(12) + "05" + "00", Failure.V2_BAD_TLV},
            {SIG + "21" + "11" + "0010" + "00".repeat(12) + "05" + "0002" + "00", Failure.V2_BAD_TLV},
            {SIG + "21" + "11" + "008f" + "00".repeat(12) + "05" + "0081" + "00".repeat(129), Failure.V2_BAD_TLV},
        };
        for (Object[] c : v2) {
            int result = parse(HEX.parseHex((String) c[0]), Accept.ANY);
            assertTrue(result < 0, c[0] + " -> " + result);
            assertEquals(c[1], ProxyHeaderParser.failure(result), (String) c[0]);
        }
        assertEquals(Failure.NOT_PROXY, ProxyHeaderParser.failure(parse(ascii("PROXY UNKNOWN\r\n"), Accept.V2)));
        assertEquals(Failure.NOT_PROXY, ProxyHeaderParser.failure(parse(HEX.parseHex(SIG + "20000000"), Accept.V1)));
    }

    @Test
    void aHeaderArrivingAByteAtATimeNeedsMoreUntilCompleteAndLeavesWhatFollows() throws Exception {
        List<byte[]> headers = List.of(ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"),
                ascii("PROXY TCP6 2001:db8::1 ::1 1 65535\r\n"), ascii("PROXY UNKNOWN\r\n"),
                written(b -> ProxyHeaderWriter.v2(b, ip("127.0.0.1"), ip("10.0.0.2"), 4, 1, 2, ascii("id-1"), 4,
                        ascii("x.example"), 9)),
                written(b -> ProxyHeaderWriter.v2(b, null, null, 0, 0, 0, null, -1, null, -1)));
        byte[] client = ascii("GET / HTTP/1.0\r\n\r\n");
        for (byte[] h : headers) {
            byte[] stream = new byte[h.length + client.length];
            System.arraycopy(h, 0, stream, 0, h.length);
            System.arraycopy(client, 0, stream, h.length, client.length);
            ByteBuffer in = ByteBuffer.allocateDirect(stream.length);
            for (int i = 0; i < stream.length; i++) {
                in.put(stream[i]);
                in.flip();
                int result = ProxyHeaderParser.parse(in, Accept.ANY, header);
                in.position(in.limit()).limit(in.capacity());
                if (i < h.length - 1) {
                    assertEquals(ProxyHeaderParser.NEED_MORE, result, "after " + (i + 1) + " of " + h.length + " bytes");
                } else {
                    assertEquals(h.length, result, "complete after " + (i + 1) + " bytes, whatever follows");
                }
            }
        }
    }

    @Test
    void randomMutationsOfValidHeadersNeverThrowAndNeverOverrun() throws Exception {
        List<byte[]> valid = List.of(ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"),
                ascii("PROXY TCP6 2001:db8::ff00:42:8329 ::ffff:1.2.3.4 1 65535\r\n"), ascii("PROXY UNKNOWN\r\n"),
                written(b -> ProxyHeaderWriter.v2(b, ip("127.0.0.1"), ip("10.0.0.2"), 4, 1, 2, ascii("id"), 2, null, -1)),
                written(b -> ProxyHeaderWriter.v2(b, ip("::1"), ip("::2"), 16, 1, 2, null, -1, ascii("a.b"), 3)));
        Random random = new Random(20261204);
        int complete = 0;
        for (int round = 0; round < 200_000; round++) {
            byte[] base = valid.get(random.nextInt(valid.size()));
            byte[] mutated = Arrays.copyOf(base, Math.max(1, base.length + random.nextInt(9) - 4));
            for (int m = random.nextInt(4); m >= 0; m--) {
                int at = random.nextInt(mutated.length);
                mutated[at] = random.nextInt(3) == 0 ? (byte) random.nextInt(256) : (byte) (mutated[at] ^ (1 << random.nextInt(8)));
            }
            ByteBuffer in = direct(mutated);
            int result = ProxyHeaderParser.parse(in, Accept.values()[random.nextInt(3)], header);
            assertEquals(0, in.position(), "the parser does not move the buffer");
            if (result > 0) {
                complete++;
                assertTrue(result <= mutated.length, "a header longer than what arrived");
                assertEquals(result, header.headerLength());
                assertTrue(header.addressLength() == 0 || header.addressLength() == 4 || header.addressLength() == 16);
            } else if (result < 0) {
                ProxyHeaderParser.failure(result); // a known reason
            }
        }
        assertTrue(complete > 0, "some mutations are still valid headers");
    }

    /** Something that writes into a buffer. */
    interface Writing {
        void write(ByteBuffer b) throws Exception;
    }

    private static byte[] written(Writing writing) throws Exception {
        ByteBuffer b = ByteBuffer.allocateDirect(ProxyHeaderWriter.MAX_V2_BYTES);
        writing.write(b);
        b.flip();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }
}
