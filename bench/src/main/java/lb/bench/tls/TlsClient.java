package lb.bench.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Any thread (immutable; the JDK's context is thread-safe). Client engines of a load tool: every
 * certificate is trusted and no host name checked (the point is the handshake's cost and where it
 * is routed, not who answers), the server names ({@code server_name}, SNI) and ALPN protocols given
 * are offered, and no session is resumed: an engine made without a peer host and port never looks
 * in the session cache, so every handshake is a full one.
 */
public final class TlsClient {

    private final SSLContext context;
    private final List<List<SNIServerName>> serverNames; // one list per name, made once
    private final String[] alpn;

    /**
     * @param serverNames sent in turn, one per connection; empty: no server_name extension
     * @param alpn        offered in this order; empty: no ALPN extension
     * @throws IllegalArgumentException a name that SNI cannot carry (not a host name)
     */
    public TlsClient(List<String> serverNames, List<String> alpn) throws GeneralSecurityException {
        this.context = SSLContext.getInstance("TLS");
        this.context.init(null, new TrustManager[] {new TrustEverything()}, null);
        List<List<SNIServerName>> names = new ArrayList<>();
        for (String name : serverNames) {
            names.add(List.of(new SNIHostName(name)));
        }
        this.serverNames = List.copyOf(names);
        this.alpn = alpn.toArray(new String[0]);
    }

    /** How many server names there are to take turns with (0: none sent). */
    public int serverNameCount() {
        return serverNames.size();
    }

    /** A client engine offering server name {@code index} (ignored when there are none). */
    public SSLEngine engine(int index) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(serverNames.isEmpty() ? List.of() : serverNames.get(index % serverNames.size()));
        if (alpn.length > 0) {
            parameters.setApplicationProtocols(alpn);
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    /** Any thread (stateless). Accepts every certificate chain, as {@code curl -k} does. */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
