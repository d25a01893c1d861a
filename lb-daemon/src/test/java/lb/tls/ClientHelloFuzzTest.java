package lb.tls;

import static lb.tls.HelloBytes.alpn;
import static lb.tls.HelloBytes.extension;
import static lb.tls.HelloBytes.hello;
import static lb.tls.HelloBytes.reframe;
import static lb.tls.HelloBytes.serverName;
import static lb.tls.HelloBytes.supportedVersions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import lb.tls.ClientHelloParser.Failure;
import lb.tls.HelloBytes.Vector;

/**
 * Test thread. 200,000 seeded random mutations of the captured hellos (bits flipped, bytes set,
 * inserted, deleted, the input cut, length fields rewritten): nothing thrown, every result a valid
 * code, a success within the input and its fields well formed, the buffer left where it was, and
 * the same answer from a fresh ClientHello, so nothing of an earlier parse is carried into a later one.
 */
class ClientHelloFuzzTest {

    private static final int ROUNDS = 200_000;

    @Test
    void randomMutationsNeverThrowNeverOverrunAndDependOnTheBytesOnly() {
        List<byte[]> bases = new ArrayList<>();
        List<List<int[]>> lengthFields = new ArrayList<>();
        for (Vector v : HelloBytes.vectors()) {
            bases.add(v.bytes());
            lengthFields.add(HelloBytes.lengthFields(v.bytes()));
            bases.add(reframe(v.bytes(), 7));
            lengthFields.add(List.of()); // record headers every 12 bytes: rewrites land anywhere
        }
        byte[] assembled = hello(serverName("Fuzz.Example."), alpn("h2", "http/1.1", "x"), supportedVersions(0x0304),
                extension(23));
        bases.add(assembled);
        lengthFields.add(HelloBytes.lengthFields(assembled));

        Random random = new Random(20261204);
        ClientHello reused = new ClientHello();
        ByteBuffer direct = ByteBuffer.allocateDirect(8192);
        Map<Failure, Integer> failures = new EnumMap<>(Failure.class);
        int complete = 0;
        int needMore = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int pick = random.nextInt(bases.size());
            byte[] mutated = mutate(bases.get(pick), lengthFields.get(pick), random);
            int skip = random.nextInt(4); // bytes before the hello: the parser starts at the position
            ByteBuffer in = round % 2 == 0 ? direct.clear() : ByteBuffer.allocate(skip + mutated.length + 4);
            for (int i = 0; i < skip; i++) {
                in.put((byte) 22);
            }
            in.put(mutated).flip().position(skip);

            int result = ClientHelloParser.parse(in, reused);

            int r = round;
            Supplier<String> what = () -> "round " + r + ": " + HexFormat.of().formatHex(mutated);
            assertEquals(skip, in.position(), "the parser does not move the buffer");
            assertEquals(skip + mutated.length, in.limit());
            assertTrue(result >= -Failure.values().length, () -> what.get() + " -> " + result);
            if (result > 0) {
                complete++;
                assertTrue(result <= mutated.length, () -> "a hello longer than what arrived: " + what.get());
                assertEquals(result, reused.length());
                assertWellFormed(reused, what);
                in.limit(skip + result);
                assertEquals(result, ClientHelloParser.parse(in, reused),
                        () -> "the hello is exactly its length: " + what.get());
            } else if (result == ClientHelloParser.NEED_MORE) {
                needMore++;
                assertEquals(0, reused.length());
            } else {
                failures.merge(ClientHelloParser.failure(result), 1, Integer::sum);
                assertEquals(0, reused.length());
                assertEquals(-1, reused.serverNameLength(), "a failure shows nothing");
                assertEquals(0, reused.alpnCount());
            }
            if (round % 8 == 0) {
                assertSameAsFresh(mutated, result, reused, what);
            }
            if (round % 256 == 0) {
                assertFinal(mutated, result, what);
            }
        }
        String summary = complete + " complete, " + needMore + " need more, " + failures;
        assertTrue(complete > ROUNDS / 50, "some mutations are still hellos: " + summary);
        assertTrue(needMore > ROUNDS / 50, "some are cut short: " + summary);
        assertEquals(Failure.values().length, failures.size(), "mutations reach every reason: " + summary);
    }

    /** A success's name and protocols obey the rules the parser checks, whatever the bytes were. */
    private static void assertWellFormed(ClientHello h, Supplier<String> what) {
        if (h.hasServerName()) {
            int n = h.serverNameLength();
            assertTrue(n >= 1 && n <= ClientHello.MAX_SERVER_NAME, what);
            String name = h.serverNameString();
            assertTrue(name.matches("[a-z0-9_-]{1,63}(\\.[a-z0-9_-]{1,63})*"), () -> name + ": " + what.get());
        } else {
            assertEquals(-1, h.serverNameLength());
        }
        assertTrue(h.alpnCount() >= 0 && h.alpnCount() <= ClientHello.MAX_ALPN, what);
        for (int i = 0; i < h.alpnCount(); i++) {
            assertTrue(h.alpnLength(i) >= 1 && h.alpnLength(i) <= ClientHello.MAX_ALPN_NAME, what);
        }
        assertTrue(h.tlsVersion() >= 0x0301 && h.tlsVersion() <= 0x0304, what);
    }

    /** A ClientHello that has never parsed anything gives the same answer and the same fields. */
    private static void assertSameAsFresh(byte[] bytes, int result, ClientHello reused, Supplier<String> what) {
        ClientHello fresh = new ClientHello();
        assertEquals(result, ClientHelloParser.parse(ByteBuffer.wrap(bytes), fresh), what);
        assertEquals(reused.toString(), fresh.toString(), what);
        assertEquals(reused.serverNameLength(), fresh.serverNameLength(), what);
        if (fresh.hasServerName()) {
            assertEquals(Arrays.toString(Arrays.copyOf(fresh.serverName(), fresh.serverNameLength())),
                    Arrays.toString(Arrays.copyOf(reused.serverName(), reused.serverNameLength())), what);
        }
    }

    /** Every prefix needs more, or (for a failure, or once the hello is whole) gives the same result. */
    private static void assertFinal(byte[] bytes, int result, Supplier<String> what) {
        ClientHello h = new ClientHello();
        for (int n = 0; n < bytes.length; n++) {
            int prefix = ClientHelloParser.parse(ByteBuffer.wrap(bytes, 0, n), h);
            boolean whole = result > 0 && n >= result;
            assertTrue(prefix == ClientHelloParser.NEED_MORE && !whole || prefix == result && (result < 0 || whole),
                    n + " bytes -> " + prefix + ", all -> " + result + ": " + what.get());
        }
    }

    private static byte[] mutate(byte[] base, List<int[]> lengthFields, Random random) {
        byte[] b = base.clone();
        boolean shifted = false;
        for (int m = 1 + random.nextInt(3); m > 0; m--) {
            int kind = random.nextInt(6);
            if (b.length == 0) {
                return b;
            }
            int at = random.nextInt(b.length);
            switch (kind) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[at] = (byte) random.nextInt(256);
                case 2 -> {
                    byte[] inserted = new byte[1 + random.nextInt(4)];
                    random.nextBytes(inserted);
                    b = splice(b, at, 0, inserted);
                    shifted = true;
                }
                case 3 -> {
                    b = splice(b, at, Math.min(b.length - at, 1 + random.nextInt(8)), new byte[0]);
                    shifted = true;
                }
                case 4 -> b = Arrays.copyOf(b, random.nextInt(b.length));
                default -> {
                    int[] field = !shifted && !lengthFields.isEmpty()
                            ? lengthFields.get(random.nextInt(lengthFields.size())) : new int[] {at, 2};
                    rewrite(b, field[0], field[1], random);
                }
            }
        }
        return b;
    }

    /** A length field set a little off, to an edge value, or to anything. */
    private static void rewrite(byte[] b, int at, int width, Random random) {
        if (at + width > b.length) {
            return;
        }
        long value = 0;
        for (int i = 0; i < width; i++) {
            value = value << 8 | (b[at + i] & 0xff);
        }
        long max = (1L << (8 * width)) - 1;
        value = switch (random.nextInt(4)) {
            case 0 -> value + random.nextInt(7) - 3;
            case 1 -> new long[] {0, 1, 2, 32, 33, 255, 256, max}[random.nextInt(8)];
            case 2 -> value * 2;
            default -> random.nextLong() & max;
        };
        value &= max;
        for (int i = width - 1; i >= 0; i--) {
            b[at + i] = (byte) value;
            value >>= 8;
        }
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
