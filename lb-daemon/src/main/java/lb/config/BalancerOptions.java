package lb.config;

/**
 * Immutable; any thread. A pool's settings for the algorithms that use them (the others ignore
 * them): the {@code hash_key}, {@code hash_fallback}, {@code ring_size}, {@code maglev_table_size}
 * and {@code bounded_load_factor} keys of a {@code [[pool]]}.
 *
 * @param hashKey           what hashing algorithms hash
 * @param hashFallback      what they do when the hashed backend cannot take the session
 * @param ringSize          ring_hash and bounded_load: points on the ring for a backend of the pool's
 *                          highest weight; lighter backends get proportionally fewer (at least one)
 * @param maglevTableSize   maglev: lookup table size, a prime
 * @param boundedLoadFactor bounded_load: no backend takes more than {@code ceil(factor × average)}
 */
public record BalancerOptions(HashKey hashKey, HashFallback hashFallback, int ringSize, int maglevTableSize,
                              double boundedLoadFactor) {

    public static final int DEFAULT_RING_SIZE = 1024;
    public static final int MIN_RING_SIZE = 1;
    public static final int MAX_RING_SIZE = 65_536;
    /** The Maglev paper's and Envoy's default: a prime well above 100 × a few hundred backends. */
    public static final int DEFAULT_MAGLEV_TABLE_SIZE = 65_537;
    public static final int MIN_MAGLEV_TABLE_SIZE = 3;
    /** Keeps a table at 20 MiB of ints, built in well under a second. */
    public static final int MAX_MAGLEV_TABLE_SIZE = 5_000_011;
    public static final double DEFAULT_BOUNDED_LOAD_FACTOR = 1.25;
    public static final double MIN_BOUNDED_LOAD_FACTOR = 1.0;
    public static final double MAX_BOUNDED_LOAD_FACTOR = 100.0;

    public static final BalancerOptions DEFAULTS = new BalancerOptions(HashKey.CLIENT_IP, HashFallback.NEXT,
            DEFAULT_RING_SIZE, DEFAULT_MAGLEV_TABLE_SIZE, DEFAULT_BOUNDED_LOAD_FACTOR);

    public BalancerOptions {
        if (hashKey == null || hashFallback == null) {
            throw new IllegalArgumentException("hash key and fallback are required");
        }
        if (ringSize < MIN_RING_SIZE || ringSize > MAX_RING_SIZE) {
            throw new IllegalArgumentException("ring size " + ringSize + " out of range");
        }
        if (maglevTableSize < MIN_MAGLEV_TABLE_SIZE || maglevTableSize > MAX_MAGLEV_TABLE_SIZE
                || !isPrime(maglevTableSize)) {
            throw new IllegalArgumentException("maglev table size " + maglevTableSize + " is not a prime in range");
        }
        if (!(boundedLoadFactor >= MIN_BOUNDED_LOAD_FACTOR && boundedLoadFactor <= MAX_BOUNDED_LOAD_FACTOR)) {
            throw new IllegalArgumentException("bounded load factor " + boundedLoadFactor + " out of range");
        }
    }

    public BalancerOptions withHashKey(HashKey key) {
        return new BalancerOptions(key, hashFallback, ringSize, maglevTableSize, boundedLoadFactor);
    }

    public BalancerOptions withHashFallback(HashFallback fallback) {
        return new BalancerOptions(hashKey, fallback, ringSize, maglevTableSize, boundedLoadFactor);
    }

    public BalancerOptions withRingSize(int size) {
        return new BalancerOptions(hashKey, hashFallback, size, maglevTableSize, boundedLoadFactor);
    }

    public BalancerOptions withMaglevTableSize(int size) {
        return new BalancerOptions(hashKey, hashFallback, ringSize, size, boundedLoadFactor);
    }

    public BalancerOptions withBoundedLoadFactor(double factor) {
        return new BalancerOptions(hashKey, hashFallback, ringSize, maglevTableSize, factor);
    }

    /** Trial division: table sizes are at most a few million, checked once at config load. */
    public static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n % 2 == 0) {
            return n == 2;
        }
        for (long d = 3; d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }
}
