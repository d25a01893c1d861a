package lb.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Test thread (stateless). ClientHello bytes for the tests: the captured vectors, hellos assembled
 * field by field (so a test can break exactly one field and keep every other length right), and
 * re-framing of a hello into records of a chosen size.
 */
final class HelloBytes {

    private static final HexFormat HEX = HexFormat.of();

    /** One line of {@code tls/vectors.txt}: a captured hello and what it must parse to. */
    record Vector(String file, byte[] bytes, String serverName, List<String> alpn, boolean tls13, int version) {
        @Override
        public String toString() {
            return file;
        }
    }

    private HelloBytes() {
    }

    static List<Vector> vectors() {
        List<Vector> vectors = new ArrayList<>();
        for (String line : resource("vectors.txt").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            byte[] bytes = HEX.parseHex(resource(f[0]).trim());
            if (bytes.length != Integer.parseInt(f[5])) {
                throw new IllegalStateException(f[0] + ": " + bytes.length + " bytes, the index says " + f[5]);
            }
            vectors.add(new Vector(f[0], bytes, f[1].equals("-") ? null : f[1],
                    f[2].equals("-") ? List.of() : List.of(f[2].split(",")), f[3].equals("yes"),
                    Integer.parseInt(f[4], 16)));
        }
        return vectors;
    }

    private static String resource(String name) {
        try (InputStream in = HelloBytes.class.getResourceAsStream("/tls/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource tls/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] hex(String hex) {
        return HEX.parseHex(hex);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] u8(int v) {
        return new byte[] {(byte) v};
    }

    static byte[] u16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    static byte[] u24(int v) {
        return new byte[] {(byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    /** The parts behind a 1-byte length. */
    static byte[] vec8(byte[]... parts) {
        byte[] body = cat(parts);
        return cat(u8(body.length), body);
    }

    static byte[] vec16(byte[]... parts) {
        byte[] body = cat(parts);
        return cat(u16(body.length), body);
    }

    static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    static byte[] extension(int type, byte[]... body) {
        return cat(u16(type), vec16(body));
    }

    /** server_name with one host_name entry. */
    static byte[] serverName(String name) {
        return extension(0, vec16(u8(0), vec16(ascii(name))));
    }

    static byte[] alpn(String... names) {
        byte[][] list = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            list[i] = vec8(ascii(names[i]));
        }
        return extension(16, vec16(list));
    }

    static byte[] supportedVersions(int... versions) {
        byte[][] list = new byte[versions.length][];
        for (int i = 0; i < versions.length; i++) {
            list[i] = u16(versions[i]);
        }
        return extension(43, vec8(list));
    }

    /** legacy_version 3.3, a random, a 32-byte session id, two suites, null compression. */
    static byte[] fixedFields() {
        return cat(u16(0x0303), filled(32, 0x5a), vec8(filled(32, 0x11)), vec16(hex("13011302")), vec8(u8(0)));
    }

    /** A ClientHello body: {@link #fixedFields()} and the extensions block. */
    static byte[] body(byte[]... extensions) {
        return cat(fixedFields(), vec16(extensions));
    }

    /** A handshake message of type 1 around {@code body}, its length right. */
    static byte[] handshake(byte[] body) {
        return cat(u8(1), u24(body.length), body);
    }

    /** One handshake record (version 3.1, as first hellos send) around {@code payload}. */
    static byte[] record(byte[] payload) {
        return cat(hex("160301"), u16(payload.length), payload);
    }

    /** A complete hello in one record. */
    static byte[] hello(byte[]... extensions) {
        return record(handshake(body(extensions)));
    }

    /** The handshake bytes carried by {@code records}, record headers dropped. */
    static byte[] payload(byte[] records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < records.length; ) {
            int length = (records[at + 3] & 0xff) << 8 | (records[at + 4] & 0xff);
            out.write(records, at + 5, length);
            at += 5 + length;
        }
        return out.toByteArray();
    }

    /** The same handshake bytes cut into records of {@code size} bytes each (the last may be shorter). */
    static byte[] reframe(byte[] records, int size) {
        byte[] handshake = payload(records);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < handshake.length; at += size) {
            int n = Math.min(size, handshake.length - at);
            out.writeBytes(hex(at == 0 ? "160301" : "160303"));
            out.writeBytes(u16(n));
            out.write(handshake, at, n);
        }
        return out.toByteArray();
    }

    /**
     * Where a single-record hello's length fields are, as {offset, width} pairs: the record's, the
     * handshake's, the session id's, the suites', the compression methods', the extensions block's,
     * each extension's, and the inner lists of server_name, ALPN and supported_versions. For the
     * fuzz test, which rewrites them. Trusts the hello to be well formed.
     */
    static List<int[]> lengthFields(byte[] hello) {
        List<int[]> fields = new ArrayList<>(List.of(new int[] {3, 2}, new int[] {6, 3}));
        int at = 9 + 2 + 32;
        fields.add(new int[] {at, 1});
        at += 1 + (hello[at] & 0xff);
        fields.add(new int[] {at, 2});
        at += 2 + u16At(hello, at);
        fields.add(new int[] {at, 1});
        at += 1 + (hello[at] & 0xff);
        if (at == hello.length) {
            return fields;
        }
        fields.add(new int[] {at, 2});
        int end = at + 2 + u16At(hello, at);
        at += 2;
        while (at < end) {
            int type = u16At(hello, at);
            int length = u16At(hello, at + 2);
            fields.add(new int[] {at + 2, 2});
            int body = at + 4;
            if (type == 0) {
                fields.add(new int[] {body, 2});
                fields.add(new int[] {body + 3, 2});
            } else if (type == 16) {
                fields.add(new int[] {body, 2});
                for (int p = body + 2; p < body + length; p += 1 + (hello[p] & 0xff)) {
                    fields.add(new int[] {p, 1});
                }
            } else if (type == 43) {
                fields.add(new int[] {body, 1});
            }
            at = body + length;
        }
        return fields;
    }

    private static int u16At(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }
}
