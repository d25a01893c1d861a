package lb.bench.backend;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import lb.bench.tls.SelfSignedCertificate;

/**
 * Any thread (immutable). What a tls-echo backend presents: a server context with a self-signed
 * certificate for its name, and optionally an announcement (the name and a newline) written first
 * on every connection, so that a client behind a router can tell which backend it reached.
 */
public final class TlsEcho {

    /** The name a tls-echo backend has when none is given. */
    public static final String DEFAULT_NAME = "tls-echo";

    private final String name;
    private final SSLContext context;
    private final byte[] announcement; // null: echo only

    private TlsEcho(String name, SSLContext context, boolean announce) {
        this.name = name;
        this.context = context;
        this.announcement = announce ? (name + "\n").getBytes(StandardCharsets.UTF_8) : null;
    }

    /** Makes the key and the certificate (CN = {@code name}): a few milliseconds. */
    public static TlsEcho selfSigned(String name, boolean announce) throws GeneralSecurityException {
        return new TlsEcho(name, SelfSignedCertificate.serverContext(name), announce);
    }

    public String name() {
        return name;
    }

    /** A server engine for one connection. */
    SSLEngine engine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        return engine;
    }

    /** The bytes to write first on every connection, or null. Shared: callers wrap, never write into it. */
    byte[] announcement() {
        return announcement;
    }
}
