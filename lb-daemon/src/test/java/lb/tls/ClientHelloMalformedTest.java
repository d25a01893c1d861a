package lb.tls;

import static lb.tls.HelloBytes.alpn;
import static lb.tls.HelloBytes.ascii;
import static lb.tls.HelloBytes.body;
import static lb.tls.HelloBytes.cat;
import static lb.tls.HelloBytes.extension;
import static lb.tls.HelloBytes.filled;
import static lb.tls.HelloBytes.fixedFields;
import static lb.tls.HelloBytes.handshake;
import static lb.tls.HelloBytes.hello;
import static lb.tls.HelloBytes.hex;
import static lb.tls.HelloBytes.record;
import static lb.tls.HelloBytes.reframe;
import static lb.tls.HelloBytes.serverName;
import static lb.tls.HelloBytes.supportedVersions;
import static lb.tls.HelloBytes.u16;
import static lb.tls.HelloBytes.u24;
import static lb.tls.HelloBytes.u8;
import static lb.tls.HelloBytes.vec16;
import static lb.tls.HelloBytes.vec8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import lb.tls.ClientHelloParser.Failure;
import lb.tls.HelloBytes.Vector;

/**
 * Test thread. Every malformed ClientHello we could name is refused with its reason; the reason
 * is final (no prefix of the bytes says otherwise, no bytes after them change it) and does not
 * depend on how the records are cut.
 */
class ClientHelloMalformedTest {

    private final ClientHello hello = new ClientHello();

    private int parse(byte[] bytes) {
        return ClientHelloParser.parse(ByteBuffer.wrap(bytes), hello);
    }

    /** Connection openings refused before or while their records are walked. */
    private static final Object[][] OPENINGS = {
        {"an HTTP request", ascii("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"), Failure.NOT_TLS},
        {"an SSH banner", ascii("SSH-2.0-OpenSSH_9.2\r\n"), Failure.NOT_TLS},
        {"a PROXY header", ascii("PROXY TCP4 192.0.2.1 192.0.2.2 1 443\r\n"), Failure.NOT_TLS},
        {"a zero byte", hex("00"), Failure.NOT_TLS},
        {"content type 25", hex("1903010005"), Failure.NOT_TLS},
        {"an SSLv2-compatible hello", hex("802e0103010015000000100700c0030080060040040080020080010080000000"
                + "00000000000000000000000000000000"), Failure.SSL2},
        {"a first byte of 0xff", hex("ff"), Failure.SSL2},
        {"application data first (record type 23)", hex("17030300050102030405"), Failure.NOT_HANDSHAKE},
        {"an alert first", hex("15030100020228"), Failure.NOT_HANDSHAKE},
        {"change_cipher_spec first", hex("140303000101"), Failure.NOT_HANDSHAKE},
        {"a heartbeat first", hex("1803030003010000"), Failure.NOT_HANDSHAKE},
        {"application data inside a fragmented hello", cat(record(hex("0100002003")), hex("17030300020000")),
            Failure.NOT_HANDSHAKE},
        {"record version 3.0", hex("1603000005"), Failure.BAD_RECORD},
        {"record version 3.5", hex("1603050005"), Failure.BAD_RECORD},
        {"record version 2.1", hex("1602010005"), Failure.BAD_RECORD},
        {"record version 0xfeff (DTLS)", hex("16feff0005"), Failure.BAD_RECORD},
        {"record length 0", hex("1603010000"), Failure.BAD_RECORD},
        {"record length 2^14 + 257", hex("1603014101"), Failure.BAD_RECORD},
        {"record length 65535", hex("160301ffff"), Failure.BAD_RECORD},
        {"a second record of length 0", cat(record(hex("0100002003")), hex("1603030000")), Failure.BAD_RECORD},
        {"a second record of version 3.0", cat(record(hex("0100002003")), hex("1603000001")), Failure.BAD_RECORD},
        {"handshake type 2 (ServerHello)", record(cat(u8(2), u24(40), new byte[40])), Failure.NOT_CLIENT_HELLO},
        {"handshake type 0 (HelloRequest)", hex("160301000400000000"), Failure.NOT_CLIENT_HELLO},
        {"handshake type 11, its header split across records", cat(record(hex("0b")), record(hex("000000"))),
            Failure.NOT_CLIENT_HELLO},
        {"handshake length 2^14 + 1", hex("160301000401004001"), Failure.TOO_LONG},
        {"handshake length 2^24 - 1", hex("1603010004" + "01ffffff"), Failure.TOO_LONG},
        {"handshake length split across records, too long", cat(record(hex("0100")), record(hex("4001"))),
            Failure.TOO_LONG},
        {"handshake length shorter than its record", record(cat(handshake(body(serverName("a.example"))), hex("00"))),
            Failure.BAD_LENGTH},
        {"handshake length 0, record longer", record(hex("0100000000")), Failure.BAD_LENGTH},
        {"a hello followed by a second handshake message in its record",
            record(cat(handshake(body()), handshake(body()))), Failure.BAD_LENGTH},
    };

    /** ClientHello bodies refused once whole: wrapped in correct handshake and record headers by the test. */
    private static final Object[][] MESSAGES = {
        {"an empty message", new byte[0], Failure.BAD_LENGTH},
        {"a message of 34 bytes", cat(u16(0x0303), filled(32, 7)), Failure.BAD_LENGTH},
        {"legacy_version 3.0", cat(u16(0x0300), Arrays.copyOfRange(body(), 2, body().length)), Failure.BAD_VERSION},
        {"legacy_version 3.5", cat(u16(0x0305), Arrays.copyOfRange(body(), 2, body().length)), Failure.BAD_VERSION},
        {"legacy_version 0xfefd (DTLS 1.2)", cat(u16(0xfefd), Arrays.copyOfRange(body(), 2, body().length)),
            Failure.BAD_VERSION},
        {"session id 33", cat(u16(0x0303), filled(32, 7), vec8(filled(33, 1)), vec16(hex("1301")), vec8(u8(0)), u16(0)),
            Failure.BAD_SESSION_ID},
        {"session id 255", cat(u16(0x0303), filled(32, 7), vec8(filled(255, 1)), vec16(hex("1301")), vec8(u8(0))),
            Failure.BAD_SESSION_ID},
        {"session id past the end", cat(u16(0x0303), filled(32, 7), u8(32), filled(10, 1)), Failure.BAD_LENGTH},
        {"the message ends after the session id", cat(u16(0x0303), filled(32, 7), vec8(filled(32, 1))), Failure.BAD_LENGTH},
        {"cipher suites of odd length", cat(u16(0x0303), filled(32, 7), u8(0), vec16(hex("130113")), vec8(u8(0))),
            Failure.BAD_CIPHER_SUITES},
        {"no cipher suites", cat(u16(0x0303), filled(32, 7), u8(0), u16(0), vec8(u8(0))), Failure.BAD_CIPHER_SUITES},
        {"cipher suites past the end", cat(u16(0x0303), filled(32, 7), u8(0), u16(0x0100), hex("13011302"), vec8(u8(0))),
            Failure.BAD_LENGTH},
        {"the message ends after the cipher suites", cat(u16(0x0303), filled(32, 7), u8(0), vec16(hex("1301"))),
            Failure.BAD_LENGTH},
        {"no compression methods", cat(u16(0x0303), filled(32, 7), u8(0), vec16(hex("1301")), u8(0), u16(0)),
            Failure.BAD_COMPRESSION},
        {"compression without null", cat(u16(0x0303), filled(32, 7), u8(0), vec16(hex("1301")), vec8(u8(1))),
            Failure.BAD_COMPRESSION},
        {"compression methods past the end", cat(u16(0x0303), filled(32, 7), u8(0), vec16(hex("1301")), u8(5), u8(0)),
            Failure.BAD_LENGTH},
        {"one byte where the extensions' length goes", cat(fixedFields(), u8(0)), Failure.BAD_EXTENSIONS},
        {"extensions' length past the end", cat(fixedFields(), u16(100), serverName("a.example")), Failure.BAD_EXTENSIONS},
        {"bytes after the extensions", cat(fixedFields(), vec16(serverName("a.example")), hex("00")),
            Failure.BAD_EXTENSIONS},
        {"an extension header cut short", cat(fixedFields(), vec16(serverName("a.example"), hex("000a00"))),
            Failure.BAD_EXTENSIONS},
        {"an extension's length past the block", cat(fixedFields(), vec16(hex("0017000500"))), Failure.BAD_EXTENSIONS},
        {"server_name twice", body(serverName("a.example"), serverName("b.example")), Failure.DUPLICATE_EXTENSION},
        {"ALPN twice", body(alpn("h2"), serverName("a.example"), alpn("h2")), Failure.DUPLICATE_EXTENSION},
        {"an empty extension twice", body(extension(23), extension(23)), Failure.DUPLICATE_EXTENSION},
        {"supported_versions twice", body(supportedVersions(0x0304), supportedVersions(0x0303)),
            Failure.DUPLICATE_EXTENSION},
        {"GREASE twice", body(extension(0x0a0a), extension(0x0a0a, hex("00"))), Failure.DUPLICATE_EXTENSION},
        {"type 65535 twice", body(extension(0xffff), extension(0xfffe), extension(0xffff)), Failure.DUPLICATE_EXTENSION},
        {"an empty server name", body(extension(0, vec16(u8(0), vec16()))), Failure.BAD_SERVER_NAME},
        {"a 256-byte server name", body(serverName(String.join(".", "a".repeat(60), "b".repeat(60), "c".repeat(60),
            "d".repeat(60), "e".repeat(12)))), Failure.BAD_SERVER_NAME},
        {"255 bytes and a trailing dot", body(serverName(String.join(".", "a".repeat(63), "b".repeat(63),
            "c".repeat(63), "d".repeat(63)) + ".")), Failure.BAD_SERVER_NAME},
        {"a 64-byte label", body(serverName("a".repeat(64) + ".example")), Failure.BAD_SERVER_NAME},
        {"a space in the name", body(serverName("a b.example")), Failure.BAD_SERVER_NAME},
        {"a slash in the name", body(serverName("a/b.example")), Failure.BAD_SERVER_NAME},
        {"a wildcard", body(serverName("*.example")), Failure.BAD_SERVER_NAME},
        {"a port", body(serverName("a.example:443")), Failure.BAD_SERVER_NAME},
        {"an IPv6 literal", body(serverName("[::1]")), Failure.BAD_SERVER_NAME},
        {"a NUL in the name", body(serverName("a.example\u0000.evil")), Failure.BAD_SERVER_NAME},
        {"UTF-8 in the name", body(extension(0, vec16(u8(0), vec16(hex("c3a9"), ascii(".example"))))),
            Failure.BAD_SERVER_NAME},
        {"a high byte in the name", body(extension(0, vec16(u8(0), vec16(hex("61ff62"))))), Failure.BAD_SERVER_NAME},
        {"an empty label", body(serverName("a..example")), Failure.BAD_SERVER_NAME},
        {"a leading dot", body(serverName(".example")), Failure.BAD_SERVER_NAME},
        {"a name that is a dot", body(serverName(".")), Failure.BAD_SERVER_NAME},
        {"two trailing dots", body(serverName("example..")), Failure.BAD_SERVER_NAME},
        {"name type 1", body(extension(0, vec16(u8(1), vec16(ascii("a.example"))))), Failure.BAD_SERVER_NAME},
        {"two host names", body(extension(0, vec16(u8(0), vec16(ascii("a.example")), u8(0), vec16(ascii("b.example"))))),
            Failure.BAD_SERVER_NAME},
        {"a host name and a type 1 entry", body(extension(0, vec16(u8(0), vec16(ascii("a.example")), u8(1), vec16()))),
            Failure.BAD_SERVER_NAME},
        {"server_name's list length wrong", body(extension(0, u16(20), u8(0), vec16(ascii("a.example")))),
            Failure.BAD_SERVER_NAME},
        {"the name's length past its extension", body(extension(0, vec16(u8(0), u16(30), ascii("a.example")))),
            Failure.BAD_SERVER_NAME},
        {"an empty server_name list", body(extension(0, u16(0))), Failure.BAD_SERVER_NAME},
        {"an empty server_name extension", body(extension(0)), Failure.BAD_SERVER_NAME},
        {"an ALPN name of length 0", body(alpn("h2", "")), Failure.BAD_ALPN},
        {"an empty ALPN list", body(extension(16, u16(0))), Failure.BAD_ALPN},
        {"an empty ALPN extension", body(extension(16)), Failure.BAD_ALPN},
        {"an ALPN name past its list", body(extension(16, vec16(u8(5), ascii("h2")))), Failure.BAD_ALPN},
        {"ALPN's list length wrong", body(extension(16, u16(10), vec8(ascii("h2")))), Failure.BAD_ALPN},
        {"a bad ALPN name after eight good ones", body(alpn("1", "2", "3", "4", "5", "6", "7", "8", "")), Failure.BAD_ALPN},
        {"supported_versions of odd length", body(extension(43, vec8(hex("030403")))), Failure.BAD_SUPPORTED_VERSIONS},
        {"an empty supported_versions list", body(extension(43, u8(0))), Failure.BAD_SUPPORTED_VERSIONS},
        {"an empty supported_versions extension", body(extension(43)), Failure.BAD_SUPPORTED_VERSIONS},
        {"supported_versions' length wrong", body(extension(43, u8(4), u16(0x0304))), Failure.BAD_SUPPORTED_VERSIONS},
    };

    @Test
    void everyMalformedOpeningIsRefusedWithItsReasonAsSoonAsItIsKnown() {
        for (Object[] c : OPENINGS) {
            assertRefused((String) c[0], (byte[]) c[1], (Failure) c[2]);
        }
    }

    @Test
    void everyMalformedMessageIsRefusedWithItsReasonHoweverItsRecordsAreCut() {
        for (Object[] c : MESSAGES) {
            String name = (String) c[0];
            byte[] records = record(handshake((byte[]) c[1]));
            assertRefused(name, records, (Failure) c[2]);
            for (int size : new int[] {1, 7, 100}) {
                assertRefused(name + " in records of " + size, reframe(records, size), (Failure) c[2]);
            }
        }
    }

    @Test
    void everyReasonTheParserGivesIsCoveredHere() {
        Set<Failure> seen = EnumSet.noneOf(Failure.class);
        for (Object[][] table : new Object[][][] {OPENINGS, MESSAGES}) {
            for (Object[] c : table) {
                seen.add((Failure) c[2]);
            }
        }
        assertEquals(EnumSet.allOf(Failure.class), seen);
        Set<String> labels = new java.util.HashSet<>();
        for (Failure f : Failure.values()) {
            assertTrue(f.label().matches("[a-z0-9_]+"), f.label());
            assertTrue(labels.add(f.label()), "labels are unique: " + f.label());
            assertEquals(f, ClientHelloParser.failure(-(f.ordinal() + 1)));
        }
    }

    /** A captured hello's body cut short anywhere, its lengths made right again: refused, never waited for. */
    @Test
    void aCapturedHelloCutShortWithItsOuterLengthsFixedIsRefused() {
        for (Vector v : HelloBytes.vectors()) {
            byte[] message = HelloBytes.payload(v.bytes());
            byte[] body = Arrays.copyOfRange(message, 4, message.length);
            int sessionId = body[34] & 0xff;
            int suites = (body[35 + sessionId] & 0xff) << 8 | (body[36 + sessionId] & 0xff);
            int withoutExtensions = 37 + sessionId + suites + 1 + (body[37 + sessionId + suites] & 0xff);
            for (int cut = 0; cut < body.length; cut++) {
                int result = parse(record(handshake(Arrays.copyOf(body, cut))));
                if (cut == withoutExtensions) {
                    assertTrue(result > 0, v + ": the fixed fields alone are a TLS 1.2 hello");
                    assertFalse(hello.hasServerName());
                } else {
                    assertTrue(result < 0, v + " cut at " + cut + " -> " + result);
                }
            }
        }
    }

    /** Refused with {@code expected}; each prefix needs more or says the same; bytes after change nothing. */
    private void assertRefused(String name, byte[] bytes, Failure expected) {
        int result = parse(bytes);
        assertTrue(result < 0, name + " -> " + result);
        assertEquals(expected, ClientHelloParser.failure(result), name);
        assertFalse(hello.hasServerName(), name);
        assertEquals(0, hello.alpnCount(), name);
        for (int n = 0; n < bytes.length; n++) {
            int prefix = parse(Arrays.copyOf(bytes, n));
            assertTrue(prefix == ClientHelloParser.NEED_MORE || prefix == result, name + ": " + n + " bytes -> " + prefix);
        }
        assertEquals(result, parse(cat(bytes, hello(serverName("after.example")))), name + ", then more bytes");
    }
}
