package lb.testing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Any thread (stateless). Seeded random payloads and their SHA-256, so failures can be replayed. */
public final class Payload {

    private Payload() {
    }

    /** {@code size} pseudo-random bytes from {@code seed}; same seed, same bytes. */
    public static byte[] random(long seed, int size) {
        byte[] bytes = new byte[size];
        fill(new SplittableRandom(seed), bytes, 0, size);
        return bytes;
    }

    /** Fills {@code bytes[offset, offset + length)} from {@code random}, eight bytes per draw. */
    public static void fill(SplittableRandom random, byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            long value = random.nextLong();
            for (int b = 0; b < 8 && i < end; b++, i++) {
                bytes[i] = (byte) value;
                value >>>= 8;
            }
        }
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    public static byte[] sha256(byte[] bytes) {
        return sha256().digest(bytes);
    }

    public static String hex(byte[] bytes) {
        return bytes == null ? "null" : HexFormat.of().formatHex(bytes);
    }
}
