package lb.balance;

import java.nio.charset.StandardCharsets;

/**
 * Any thread (stateless). The one hash function of the hashing algorithms: fixed, seeded, 64-bit,
 * independent of the JVM and the platform, so tables and rings built from the same backends, and
 * the places of the same clients, are identical on every host (multi-host deployments behind ECMP
 * rely on it). Words of eight little-endian bytes are folded through MurmurHash3's 64-bit
 * finalizer, a bijection with full avalanche.
 */
public final class Hashing {

    /** Seed for client addresses. */
    public static final long CLIENT_SEED = 0x6C62_636C_6965_6E74L;
    private static final long LENGTH_MULTIPLIER = 0x9E37_79B9_7F4A_7C15L;

    private Hashing() {
    }

    /** MurmurHash3 fmix64. */
    public static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return h;
    }

    public static long hash(byte[] bytes, long seed) {
        return hash(bytes, 0, bytes.length, seed);
    }

    public static long hash(byte[] bytes, int offset, int length, long seed) {
        long h = seed ^ (length * LENGTH_MULTIPLIER);
        int i = offset;
        int end = offset + length;
        for (; i + 8 <= end; i += 8) {
            h = mix(h ^ littleEndianLong(bytes, i));
        }
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) {
            tail |= (bytes[i] & 0xFFL) << shift;
        }
        return mix(h ^ tail ^ mix(length));
    }

    public static long hash(String text, long seed) {
        return hash(text.getBytes(StandardCharsets.UTF_8), seed);
    }

    /**
     * A client's key: its IP address bytes (4 for IPv4, 16 for IPv6), and with
     * {@code port >= 0} the port too.
     */
    public static long address(byte[] ip, int port) {
        long h = hash(ip, CLIENT_SEED);
        return port < 0 ? h : mix(h ^ (port + 1L));
    }

    private static long littleEndianLong(byte[] b, int i) {
        return (b[i] & 0xFFL) | (b[i + 1] & 0xFFL) << 8 | (b[i + 2] & 0xFFL) << 16 | (b[i + 3] & 0xFFL) << 24
                | (b[i + 4] & 0xFFL) << 32 | (b[i + 5] & 0xFFL) << 40 | (b[i + 6] & 0xFFL) << 48
                | (b[i + 7] & 0xFFL) << 56;
    }
}
