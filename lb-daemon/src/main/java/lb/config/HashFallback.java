package lb.config;

/**
 * Any thread (immutable). What a hashing algorithm does when the backend a key hashes to cannot
 * take the session (ineligible, or the backend a retry must avoid): {@code hash_fallback} in a pool.
 */
public enum HashFallback {
    /**
     * Walk on from the key's place (the next point on the ring, the next slot of the table, the
     * next backend in order) to the first backend that can take it. Every host walks the same way,
     * so the fallback is as consistent as the hash.
     */
    NEXT("next"),
    /** No fallback: the session is refused (closed) rather than placed elsewhere (strict affinity). */
    REJECT("reject");

    private final String configName;

    HashFallback(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
