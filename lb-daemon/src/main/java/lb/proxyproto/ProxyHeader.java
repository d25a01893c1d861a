package lb.proxyproto;

/**
 * Owned by one thread (a loop keeps one and reuses it). What a PROXY protocol header said: the
 * original client and destination when {@link #hasAddresses()}, and the TLVs lb reads. Filled by
 * {@link ProxyHeaderParser} without allocating: addresses live in fixed arrays, TLV values are
 * copied into fixed arrays of their maximum length.
 */
public final class ProxyHeader {

    /** The longest unique id a header may carry (PP2_TYPE_UNIQUE_ID, spec section 2.2.5). */
    public static final int MAX_UNIQUE_ID = 128;
    /** The longest authority (a host name, PP2_TYPE_AUTHORITY). */
    public static final int MAX_AUTHORITY = 255;

    int version;
    /** 4 or 16 while the header carries IP addresses; 0 for LOCAL, UNKNOWN, UNSPEC and UNIX. */
    int addressLength;
    final byte[] source = new byte[16];
    final byte[] destination = new byte[16];
    int sourcePort;
    int destinationPort;
    int headerLength;
    final byte[] uniqueId = new byte[MAX_UNIQUE_ID];
    int uniqueIdLength = -1;
    final byte[] authority = new byte[MAX_AUTHORITY];
    int authorityLength = -1;

    void clear() {
        version = 0;
        addressLength = 0;
        sourcePort = 0;
        destinationPort = 0;
        headerLength = 0;
        uniqueIdLength = -1;
        authorityLength = -1;
    }

    /** 1 or 2. */
    public int version() {
        return version;
    }

    /** Whether it names the original connection (PROXY with TCP over IPv4 or IPv6). */
    public boolean hasAddresses() {
        return addressLength != 0;
    }

    /** 4 (IPv4) or 16 (IPv6); 0 without addresses. */
    public int addressLength() {
        return addressLength;
    }

    /** The client's address bytes (the first {@link #addressLength()} of the array; do not keep it). */
    public byte[] source() {
        return source;
    }

    public byte[] destination() {
        return destination;
    }

    public int sourcePort() {
        return sourcePort;
    }

    public int destinationPort() {
        return destinationPort;
    }

    /** Bytes the header took, from the first byte of the connection; what follows is the client's. */
    public int headerLength() {
        return headerLength;
    }

    /** PP2_TYPE_UNIQUE_ID's length, or -1 when absent; the bytes are {@link #uniqueId()}'s first ones. */
    public int uniqueIdLength() {
        return uniqueIdLength;
    }

    public byte[] uniqueId() {
        return uniqueId;
    }

    /** PP2_TYPE_AUTHORITY's length, or -1 when absent. */
    public int authorityLength() {
        return authorityLength;
    }

    public byte[] authority() {
        return authority;
    }

    @Override
    public String toString() {
        return "PROXY v" + version + (hasAddresses() ? " " + ProxyAddresses.text(source, addressLength) + ":"
                + sourcePort + " -> " + ProxyAddresses.text(destination, addressLength) + ":" + destinationPort
                : " without addresses") + " (" + headerLength + " bytes)";
    }
}
