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
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import lb.tls.ClientHelloParser.Failure;
import lb.tls.HelloBytes.Vector;

/**
 * Test thread. The ClientHello reader against hellos captured from the JDK, OpenSSL and curl (see
 * {@code src/test/resources/tls/README.md}): each whole, a byte at a time, re-framed into many
 * records, followed by other bytes, and placed behind other bytes; plus assembled hellos at the
 * edges of what is taken, and a parse that allocates nothing.
 */
class ClientHelloTest {

    private final ClientHello hello = new ClientHello();

    static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length + 8);
        b.put(bytes).flip();
        return b;
    }

    private int parse(byte[] bytes) {
        return ClientHelloParser.parse(direct(bytes), hello);
    }

    private List<String> alpnList() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < hello.alpnCount(); i++) {
            names.add(hello.alpnString(i));
        }
        return names;
    }

    private void assertParsesAs(Vector v, byte[] bytes, String how) {
        assertEquals(bytes.length, parse(bytes), v + " " + how);
        assertEquals(bytes.length, hello.length(), v + " " + how);
        assertEquals(v.serverName(), hello.serverNameString(), v + " " + how);
        assertEquals(v.serverName() != null, hello.hasServerName(), v + " " + how);
        assertEquals(v.alpn(), alpnList(), v + " " + how);
        assertEquals(v.tls13(), hello.offersTls13(), v + " " + how);
        assertEquals(v.version(), hello.tlsVersion(), v + " " + how);
    }

    @Test
    void everyCapturedHelloGivesItsNameAndProtocols() {
        List<Vector> vectors = HelloBytes.vectors();
        assertEquals(5, vectors.size());
        for (Vector v : vectors) {
            assertParsesAs(v, v.bytes(), "as captured");
        }
        Vector jdk = vectors.get(0);
        parse(jdk.bytes());
        assertEquals("api.example.com".length(), hello.serverNameLength());
        assertArrayEquals(ascii("api.example.com"), Arrays.copyOf(hello.serverName(), hello.serverNameLength()));
        assertEquals(2, hello.alpnLength(0));
        assertArrayEquals(ascii("h2"), Arrays.copyOf(hello.alpn(0), hello.alpnLength(0)));
        assertEquals("ClientHello sni=api.example.com alpn=[h2, http/1.1] version=0x303 +tls1.3 (482 bytes)",
                hello.toString());
    }

    @Test
    void aHelloArrivingAByteAtATimeNeedsMoreUntilItsLastByte() {
        byte[] next = hex("140303000101" + "1703030005" + "0102030405"); // change_cipher_spec, then early data
        for (Vector v : HelloBytes.vectors()) {
            for (byte[] h : List.of(v.bytes(), reframe(v.bytes(), 7))) {
                byte[] stream = cat(h, next);
                ByteBuffer in = ByteBuffer.allocateDirect(stream.length);
                for (int i = 0; i < stream.length; i++) {
                    in.put(stream[i]);
                    in.flip();
                    int result = ClientHelloParser.parse(in, hello);
                    assertEquals(0, in.position(), "the parser does not move the buffer");
                    in.position(in.limit()).limit(in.capacity());
                    if (i < h.length - 1) {
                        assertEquals(ClientHelloParser.NEED_MORE, result, v + ": after " + (i + 1) + " of " + h.length);
                        assertFalse(hello.hasServerName(), "nothing shown before the hello is whole");
                    } else {
                        assertEquals(h.length, result, v + ": complete after " + (i + 1) + " bytes, whatever follows");
                        assertEquals(v.serverName(), hello.serverNameString());
                    }
                }
            }
        }
    }

    @Test
    void aHelloCutIntoRecordsOf1And7And100BytesReadsTheSame() {
        for (Vector v : HelloBytes.vectors()) {
            int handshake = v.bytes().length - 5;
            for (int size : new int[] {1, 7, 100, handshake - 1, handshake}) {
                byte[] records = reframe(v.bytes(), size);
                assertEquals(handshake + 5 * ((handshake + size - 1) / size), records.length, "record headers");
                assertParsesAs(v, records, "in records of " + size);
            }
        }
    }

    @Test
    void bytesAfterTheHelloAreNotCounted() {
        for (Vector v : HelloBytes.vectors()) {
            for (String after : List.of("16", "160303000101", "1703030005", "474554202f", "00".repeat(20000))) {
                assertEquals(v.bytes().length, parse(cat(v.bytes(), hex(after))), v + " then " + after.substring(0, 2));
            }
            assertEquals(reframe(v.bytes(), 100).length, parse(cat(reframe(v.bytes(), 100), v.bytes())),
                    "a second hello after the first is not the first's");
        }
    }

    @Test
    void aHelloBehindOtherBytesIsReadFromThePositionInHeapAndDirectBuffers() {
        byte[] proxy = ascii("PROXY TCP4 192.0.2.1 192.0.2.2 1 443\r\n");
        for (Vector v : HelloBytes.vectors()) {
            byte[] h = reframe(v.bytes(), 100);
            byte[] stream = cat(proxy, h, hex("1703030001ff"));
            for (ByteBuffer in : List.of(ByteBuffer.wrap(stream), direct(stream))) {
                in.position(proxy.length);
                int limit = in.limit();
                assertEquals(h.length, ClientHelloParser.parse(in, hello), v.toString());
                assertEquals(proxy.length, in.position());
                assertEquals(limit, in.limit());
                assertEquals(v.serverName(), hello.serverNameString());
            }
            ByteBuffer slice = ByteBuffer.wrap(stream, proxy.length, stream.length - proxy.length).slice();
            assertEquals(h.length, ClientHelloParser.parse(slice.limit(h.length), hello),
                    "a hello that fills the buffer to its limit exactly");
        }
    }

    @Test
    void theNameIsLowerCasedWithoutItsTrailingDot() {
        String longest = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(63));
        assertEquals(255, longest.length());
        String[][] names = {
            {"API.Example.COM", "api.example.com"}, {"www.example.org.", "www.example.org"}, {"x", "x"},
            {"_srv._tcp.example-1.net", "_srv._tcp.example-1.net"}, {longest, longest},
            // RFC 6066 forbids address literals, but one passes as a name that simply routes nowhere special.
            {"192.0.2.1", "192.0.2.1"},
            {longest.substring(1) + ".", longest.substring(1)},
        };
        for (String[] name : names) {
            assertTrue(parse(hello(serverName(name[0]))) > 0, name[0]);
            assertEquals(name[1], hello.serverNameString(), name[0]);
        }
    }

    @Test
    void protocolsAreKeptInTheClientsOrderUpToEight() {
        String longest = "p".repeat(255);
        assertTrue(parse(hello(alpn("h2", longest, "\u007f"))) > 0);
        assertEquals(List.of("h2", longest, "\u007f"), alpnList());
        String[] ten = {"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"};
        assertTrue(parse(hello(alpn(ten), serverName("ten.example"))) > 0, "the ninth and tenth are checked, not kept");
        assertEquals(List.of(ten).subList(0, ClientHello.MAX_ALPN), alpnList());
        assertEquals("ten.example", hello.serverNameString(), "extensions after a long ALPN are still read");
        byte[] opaque = cat(extension(16, HelloBytes.vec16(HelloBytes.vec8(hex("00ff80")))));
        assertTrue(parse(hello(opaque)) > 0, "protocol ids are opaque bytes");
        assertArrayEquals(hex("00ff80"), Arrays.copyOf(hello.alpn(0), hello.alpnLength(0)));
    }

    @Test
    void helloFormsOlderClientsSendAreTaken() {
        // TLS 1.0-1.2 may leave the extensions block out altogether (RFC 5246 section 7.4.1.2).
        byte[] bare = record(handshake(fixedFields()));
        assertEquals(bare.length, parse(bare));
        assertFalse(hello.hasServerName());
        assertEquals(0, hello.alpnCount());
        assertEquals(0x0303, hello.tlsVersion());
        byte[] empty = hello();
        assertEquals(empty.length, parse(empty), "an empty extensions block");
        byte[] tls10 = record(handshake(cat(HelloBytes.u16(0x0301), filled(32, 1), HelloBytes.u8(0),
                HelloBytes.vec16(hex("002f")), HelloBytes.vec8(hex("0100")), HelloBytes.vec16(serverName("old.example")))));
        assertEquals(tls10.length, parse(tls10), "TLS 1.0, no session id, deflate offered beside null");
        assertEquals(0x0301, hello.tlsVersion());
        assertEquals("old.example", hello.serverNameString());
        assertTrue(parse(hello(supportedVersions(0x0a0a, 0x0304, 0x0303))) > 0);
        assertTrue(hello.offersTls13(), "GREASE before 1.3");
        assertTrue(parse(hello(supportedVersions(0x0303, 0x0302))) > 0);
        assertFalse(hello.offersTls13());
        byte[] grease = hello(extension(0x0a0a), serverName("g.example"), extension(0xfafa, hex("00")));
        assertTrue(parse(grease) > 0, "GREASE extensions (RFC 8701) are stepped over");
        for (int version = 1; version <= 4; version++) {
            byte[] h = hello(serverName("v.example"));
            h[2] = (byte) version;
            assertEquals(h.length, parse(h), "record version 3." + version);
        }
    }

    @Test
    void theLongestHelloIsTakenAndOneByteMoreIsNot() {
        int padding = ClientHelloParser.MAX_CLIENT_HELLO - body(serverName("big.example"), extension(21)).length;
        byte[] longest = handshake(body(serverName("big.example"), extension(21, new byte[padding])));
        assertEquals(4 + ClientHelloParser.MAX_CLIENT_HELLO, longest.length);
        byte[] records = cat(record(Arrays.copyOfRange(longest, 0, 10000)),
                record(Arrays.copyOfRange(longest, 10000, longest.length)));
        assertEquals(records.length, parse(records));
        assertEquals("big.example", hello.serverNameString());
        assertEquals(Failure.TOO_LONG, failure(parse(reframe(records, 3))), "too many records: more than MAX_LENGTH");
        assertEquals(reframe(records, 4).length, parse(reframe(records, 4)), "records of 4 still fit in MAX_LENGTH");
        assertTrue(reframe(records, 4).length <= ClientHelloParser.MAX_LENGTH);

        byte[] tooLong = handshake(body(serverName("big.example"), extension(21, new byte[padding + 1])));
        assertEquals(Failure.TOO_LONG, failure(parse(reframe(record(tooLong), 10000))));
        assertEquals(Failure.TOO_LONG, failure(parse(Arrays.copyOf(reframe(record(tooLong), 10000), 9))),
                "known from the handshake header alone");
        assertEquals(ClientHelloParser.NEED_MORE, parse(hex("1603014100")), "a record of 16384 + 256 is taken");
        assertEquals(Failure.BAD_RECORD, failure(parse(hex("1603014101"))), "one byte more is not");
    }

    @Test
    void theHelloHoldsCopiesAndFixedArraysOnly() throws Exception {
        byte[] bytes = hello(serverName("copy.example"), alpn("h2"));
        ByteBuffer in = direct(bytes);
        assertEquals(bytes.length, ClientHelloParser.parse(in, hello));
        for (int i = 0; i < bytes.length; i++) {
            in.put(i, (byte) 'X');
        }
        assertEquals("copy.example", hello.serverNameString(), "not a view of the buffer");
        assertEquals("h2", hello.alpnString(0));

        byte[] name = hello.serverName();
        assertTrue(parse(HelloBytes.vectors().get(2).bytes()) > 0);
        assertSame(name, hello.serverName(), "the same array, refilled");
        assertTrue(parse(ascii("GET / HTTP/1.1\r\n")) < 0);
        assertFalse(hello.hasServerName(), "a failed parse shows nothing of the last hello");
        assertNull(hello.serverNameString());
        assertEquals(0, hello.alpnCount());
        assertEquals(0, hello.length());
        assertEquals(ClientHelloParser.NEED_MORE, parse(Arrays.copyOf(bytes, bytes.length - 1)));
        assertFalse(hello.hasServerName(), "nor does an incomplete one");

        // Between parses a ClientHello holds numbers and its own arrays: no buffer, nothing borrowed.
        for (Class<?> type : List.of(ClientHello.class, RecordCursor.class)) {
            for (Field f : type.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Class<?> t = f.getType();
                boolean primitiveArray = t.isArray() && (t.getComponentType().isPrimitive()
                        || t.getComponentType().isArray() && t.getComponentType().getComponentType().isPrimitive());
                assertTrue(t.isPrimitive() || primitiveArray || t == RecordCursor.class,
                        type.getSimpleName() + "." + f.getName());
                assertTrue(t.isPrimitive() || Modifier.isFinal(f.getModifiers()), f.getName() + ": fixed, made once");
            }
        }
    }

    @Test
    void parsingAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        ByteBuffer one = direct(HelloBytes.vectors().get(2).bytes());
        ByteBuffer many = ByteBuffer.wrap(reframe(HelloBytes.vectors().get(0).bytes(), 7));
        ByteBuffer bad = direct(hello(serverName("a..b")));
        int expected = one.remaining() + many.remaining() - 1;
        assertEquals(expected, cycle(one, many, bad, 50_000) / 50_000); // warm up: class loading, JIT compilation
        long before = threads.getThreadAllocatedBytes(id);
        long sum = cycle(one, many, bad, 100_000);
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertEquals(100_000L * expected, sum);
        // An on-stack replacement may allocate a few bytes once; per parse it would be >= 2.4 MB.
        assertTrue(allocated < 4096, allocated + " bytes allocated over 300k parses");
    }

    private long cycle(ByteBuffer one, ByteBuffer many, ByteBuffer bad, int times) {
        long sum = 0;
        for (int i = 0; i < times; i++) {
            sum += ClientHelloParser.parse(one, hello);
            sum += ClientHelloParser.parse(many, hello);
            int failed = ClientHelloParser.parse(bad, hello);
            sum += ClientHelloParser.failure(failed) == Failure.BAD_SERVER_NAME ? -1 : 0;
        }
        return sum;
    }

    static Failure failure(int result) {
        assertTrue(result < 0, "a failure, not " + result);
        return ClientHelloParser.failure(result);
    }
}
