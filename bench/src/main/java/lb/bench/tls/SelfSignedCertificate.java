package lb.bench.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Any thread (stateless). A server {@link SSLContext} with a fresh EC P-256 key and a self-signed
 * X.509 v3 certificate made in-process at start: subject and issuer {@code CN=<name>}, the name also
 * as a DNS subjectAltName when it is a host name, valid from a day ago for ten years. The DER is
 * assembled here (RFC 5280 §4.1) and signed with SHA256withECDSA, because the JDK has no public API
 * for making certificates and running {@code keytool} would cost a process and a temporary file.
 * For test backends only: the key is never stored.
 */
public final class SelfSignedCertificate {

    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final char[] NO_PASSWORD = new char[0];
    private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";

    private SelfSignedCertificate() {
    }

    /** A server context presenting a certificate for {@code name}. */
    public static SSLContext serverContext(String name) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        X509Certificate certificate = certificate(name, pair);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("empty key store", e);
        }
        store.setKeyEntry("server", pair.getPrivate(), NO_PASSWORD, new Certificate[] {certificate});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, NO_PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    /** The self-signed certificate of {@code pair} for {@code name}. */
    static X509Certificate certificate(String name, KeyPair pair) throws GeneralSecurityException {
        Instant now = Instant.now();
        byte[] algorithm = sequence(oid(ECDSA_WITH_SHA256));
        byte[] subject = sequence(tlv(0x31, sequence(oid(COMMON_NAME), tlv(0x0c, name.getBytes(StandardCharsets.UTF_8)))));
        byte[] serial = new BigInteger(63, new SecureRandom()).add(BigInteger.ONE).toByteArray();
        byte[] extensions = HOST_NAME.matcher(name).matches()
                ? tlv(0xa3, sequence(sequence(oid(SUBJECT_ALT_NAME),
                        tlv(0x04, sequence(tlv(0x82, name.getBytes(StandardCharsets.US_ASCII)))))))
                : new byte[0];
        byte[] toBeSigned = sequence(
                tlv(0xa0, tlv(0x02, new byte[] {2})), // version v3
                tlv(0x02, serial),
                algorithm,
                subject, // issuer: self-signed
                sequence(time(now.minus(Duration.ofDays(1))), time(now.plus(Duration.ofDays(3650)))),
                subject,
                pair.getPublic().getEncoded(), // SubjectPublicKeyInfo, as X.509 encodes it
                extensions);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(pair.getPrivate());
        signer.update(toBeSigned);
        byte[] signature = signer.sign(); // DER Ecdsa-Sig-Value, as the BIT STRING carries it
        byte[] bits = new byte[signature.length + 1]; // leading 0: no unused bits
        System.arraycopy(signature, 0, bits, 1, signature.length);
        byte[] der = sequence(toBeSigned, algorithm, tlv(0x03, bits));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    /** UTCTime up to 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
    private static byte[] time(Instant instant) {
        boolean utc = instant.atZone(ZoneOffset.UTC).getYear() < 2050;
        String text = DateTimeFormatter.ofPattern(utc ? "yyMMddHHmmss'Z'" : "yyyyMMddHHmmss'Z'")
                .withZone(ZoneOffset.UTC).format(instant);
        return tlv(utc ? 0x17 : 0x18, text.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] oid(String dotted) {
        String[] parts = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
        for (int i = 2; i < parts.length; i++) {
            long value = Long.parseLong(parts[i]);
            int groups = 1;
            for (long v = value >>> 7; v != 0; v >>>= 7) {
                groups++;
            }
            for (int g = groups - 1; g >= 0; g--) {
                out.write((int) ((value >>> (7 * g)) & 0x7f) | (g == 0 ? 0 : 0x80));
            }
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] sequence(byte[]... parts) {
        return tlv(0x30, parts);
    }

    /** DER tag, definite length, contents. */
    private static byte[] tlv(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        int length = content.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length < 0x100 ? 1 : length < 0x10000 ? 2 : 3;
            out.write(0x80 | bytes);
            for (int b = bytes - 1; b >= 0; b--) {
                out.write(length >>> (8 * b));
            }
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }
}
