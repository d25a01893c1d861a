package lb.config;

import java.time.Duration;
import java.util.List;

import lb.admission.Cidr;
import lb.proxyproto.ProxyHeaderParser;

/**
 * Immutable; any thread. A listener that takes a PROXY protocol header first on every connection.
 *
 * @param versions which versions it takes ({@code any}: told apart by the signature)
 * @param timeout  how long a peer has to send the whole header
 * @param trusted  the peers that may send one (others are reset at once); empty = any peer
 */
public record ProxyProtocolAccept(ProxyHeaderParser.Accept versions, Duration timeout, List<Cidr> trusted) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

    public ProxyProtocolAccept {
        trusted = List.copyOf(trusted);
    }

    /** Whether a connection from {@code address} (4 or 16 bytes) may send a header. */
    public boolean trusts(byte[] address) {
        if (trusted.isEmpty()) {
            return true;
        }
        for (Cidr c : trusted) {
            if (c.contains(address, address.length)) {
                return true;
            }
        }
        return false;
    }

    public static String configName(ProxyHeaderParser.Accept versions) {
        return versions.name().toLowerCase(java.util.Locale.ROOT);
    }
}
