package lb.config;

/** Any thread (immutable). What a hashing algorithm hashes to place a client: {@code hash_key} in a pool. */
public enum HashKey {
    /** The client's IP address: every connection from one address goes to the same backend. */
    CLIENT_IP("client_ip"),
    /** IP address and source port: spreads one address's connections, keeps each one's retries stable. */
    CLIENT_IP_PORT("client_ip_port");

    private final String configName;

    HashKey(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
