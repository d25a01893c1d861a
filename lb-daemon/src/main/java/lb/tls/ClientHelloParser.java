package lb.tls;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Any thread (stateless). Reads a TLS ClientHello (RFC 8446 section 4.1.2; RFC 5246 section 7.4.1.2
 * for TLS 1.0 to 1.2) from the first bytes of a connection, strictly and without allocating, for
 * routing by server name and ALPN without terminating TLS (what nginx's ssl_preread and HAProxy's
 * req.ssl_sni do): call it each time more bytes have arrived; it says the hello is complete (the
 * length of the records carrying it), needs more, or is bad (and why). Nothing is consumed: the
 * bytes, hello included, are the client's and go to the backend as they came.
 *
 * <p>Two passes. The first walks the records (handshake content type, version 3.1 to 3.4, length
 * 1..{@link #MAX_RECORD_LENGTH}) and the handshake header, which may be split across records, until
 * the records hold the whole message and it ends where a record ends; this is all it takes to say
 * NEED_MORE, so a partial hello costs one walk of its record headers. The second reads the message
 * through a {@link RecordCursor}, which steps over record headers, so a hello fragmented across
 * records is read where it lies: fixed fields, then each extension inside its bounds, no type twice.
 */
public final class ClientHelloParser {

    /** Why a hello was refused: the metric label and the log's reason. */
    public enum Failure {
        /** The first byte is no TLS content type and no SSLv2 header: another protocol (HTTP, SSH...). */
        NOT_TLS("not_tls"),
        /** The first byte has its high bit set: an SSLv2-compatible hello (RFC 6176 prohibits SSLv2). */
        SSL2("ssl2"),
        /** A record header with a version outside 3.1..3.4, or a length 0 or over {@link #MAX_RECORD_LENGTH}. */
        BAD_RECORD("bad_record"),
        /** A TLS record that is not a handshake (alert, change_cipher_spec, data) where the hello should be. */
        NOT_HANDSHAKE("not_handshake"),
        /** A handshake message other than a ClientHello (type 1). */
        NOT_CLIENT_HELLO("not_client_hello"),
        /** A message longer than {@link #MAX_CLIENT_HELLO}, or records past {@link #MAX_LENGTH}. */
        TOO_LONG("too_long"),
        /**
         * The message ends inside its fixed fields or one of their vectors, or before the record
         * carrying its end does (the hello must be alone there, ending on a record boundary).
         */
        BAD_LENGTH("bad_length"),
        /** legacy_version is not TLS 1.0..1.3 (0x0301..0x0304). */
        BAD_VERSION("bad_version"),
        /** A session id longer than 32 bytes. */
        BAD_SESSION_ID("bad_session_id"),
        /** A cipher suite list that is empty or of odd length. */
        BAD_CIPHER_SUITES("bad_cipher_suites"),
        /** No compression methods, or none of them "null" (0), which every client must offer. */
        BAD_COMPRESSION("bad_compression"),
        /** The extensions' lengths do not exactly fill the rest of the message. */
        BAD_EXTENSIONS("bad_extensions"),
        /** An extension type appears twice (RFC 8446 section 4.2, RFC 5246 section 7.4.1.4). */
        DUPLICATE_EXTENSION("duplicate_extension"),
        /**
         * server_name is not one host_name of 1..255 bytes that fills the extension, made of ASCII
         * letters, digits, '-', '_' and '.', with labels of 1..63 bytes (one trailing dot allowed).
         */
        BAD_SERVER_NAME("bad_server_name"),
        /** ALPN's list does not fill the extension, is empty, or holds an empty or overrunning name. */
        BAD_ALPN("bad_alpn"),
        /** supported_versions is not a list of 1..127 versions that fills the extension. */
        BAD_SUPPORTED_VERSIONS("bad_supported_versions");

        private final String label;

        Failure(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** {@link #parse}: the hello is not complete yet. */
    public static final int NEED_MORE = 0;
    /**
     * The longest record taken. A handshake record is plaintext, limited to 2^14 (RFC 8446 section
     * 5.1); the 256 more a protected record may carry (section 5.2) are let through too: lb refuses
     * what is plainly not TLS, and leaves the finer points to the backend's own TLS.
     */
    public static final int MAX_RECORD_LENGTH = 16384 + 256;
    /**
     * The longest ClientHello body taken (its 24-bit length). Real hellos are 200 bytes to about
     * 2 KiB (post-quantum key shares included); 16 KiB leaves room for large tickets and padding.
     */
    public static final int MAX_CLIENT_HELLO = 16 * 1024;
    /**
     * The most bytes the records carrying one hello may take, and so what a reader must be able to
     * hold while a hello is incomplete. The largest hello still fits cut into records of 4 bytes of
     * payload each ((4 + 16384) / 4 records of 9 bytes, under 37 KiB); cut finer, it is refused
     * rather than held, since only a client probing the reader fragments that much.
     */
    public static final int MAX_LENGTH = 40 * 1024;

    static final int RECORD_HEADER = 5;
    static final int HANDSHAKE_HEADER = 4;
    static final int CONTENT_HANDSHAKE = 22;
    static final int HANDSHAKE_CLIENT_HELLO = 1;
    static final int EXTENSION_SERVER_NAME = 0;
    static final int EXTENSION_ALPN = 16;
    static final int EXTENSION_SUPPORTED_VERSIONS = 43;
    static final int TLS13 = 0x0304;

    /** Kept so that {@link #failure(int)} does not clone the array Failure.values() returns. */
    private static final Failure[] FAILURES = Failure.values();

    private ClientHelloParser() {
    }

    /**
     * Looks at {@code in}'s bytes from position to limit (absolute reads: the buffer is not moved).
     *
     * @return the length (> 0) of the records carrying the hello, with {@code out} filled; {@link
     *         #NEED_MORE}; or a failure as {@code -(failure.ordinal() + 1)} (see {@link #failure(int)}).
     *         A result is final: more bytes never turn a failure or a length into something else.
     */
    public static int parse(ByteBuffer in, ClientHello out) {
        out.clear();
        int from = in.position();
        int length = records(in, from, in.limit() - from);
        if (length <= 0) {
            return length;
        }
        int result = message(in, from, out);
        if (result < 0) {
            out.clear();
            return result;
        }
        out.length = length;
        return length;
    }

    /** The failure a negative result of {@link #parse} stands for. */
    public static Failure failure(int result) {
        return FAILURES[-result - 1];
    }

    private static int fail(Failure f) {
        return -(f.ordinal() + 1);
    }

    /**
     * First pass: the records from {@code from}, checked header by header as bytes arrive, until
     * they carry the whole handshake message. Offsets are relative to {@code from}.
     *
     * @return the records' total length, NEED_MORE, or a failure
     */
    private static int records(ByteBuffer in, int from, int available) {
        if (available == 0) {
            return NEED_MORE;
        }
        int first = in.get(from) & 0xff;
        if ((first & 0x80) != 0) {
            return fail(Failure.SSL2);
        }
        if (first != CONTENT_HANDSHAKE) {
            // change_cipher_spec, alert, application_data, heartbeat: TLS, but not how a client begins.
            return fail(first >= 20 && first <= 24 ? Failure.NOT_HANDSHAKE : Failure.NOT_TLS);
        }
        int record = 0;
        int gathered = 0;      // handshake bytes in the records before this one
        int headerBytes = 0;   // of the 4-byte handshake header, read so far
        int messageLength = 0;
        while (true) {
            if (record >= available) {
                return NEED_MORE;
            }
            if (in.get(from + record) != CONTENT_HANDSHAKE) {
                // A handshake message must not be interleaved with other records (RFC 8446 section 5.1).
                return fail(Failure.NOT_HANDSHAKE);
            }
            if (available - record < 2) {
                return NEED_MORE;
            }
            if (in.get(from + record + 1) != 3) {
                return fail(Failure.BAD_RECORD);
            }
            if (available - record < 3) {
                return NEED_MORE;
            }
            int minor = in.get(from + record + 2);
            // legacy_record_version: 3.3, or 3.1 in a first hello (RFC 8446 section 5.1), 3.2 from TLS 1.1
            // clients; 3.4, which no client should send, lets nothing through that 3.3 would not.
            if (minor < 1 || minor > 4) {
                return fail(Failure.BAD_RECORD);
            }
            if (available - record < RECORD_HEADER) {
                return NEED_MORE;
            }
            int length = (in.get(from + record + 3) & 0xff) << 8 | (in.get(from + record + 4) & 0xff);
            // Zero-length handshake fragments are forbidden (RFC 8446 section 5.1): no 0-byte records to loop on.
            if (length == 0 || length > MAX_RECORD_LENGTH) {
                return fail(Failure.BAD_RECORD);
            }
            int payload = record + RECORD_HEADER;
            int end = payload + length;
            if (end > MAX_LENGTH) {
                return fail(Failure.TOO_LONG);
            }
            for (int i = payload; headerBytes < HANDSHAKE_HEADER && i < end; i++, headerBytes++) {
                if (i >= available) {
                    return NEED_MORE;
                }
                int b = in.get(from + i) & 0xff;
                if (headerBytes == 0) {
                    if (b != HANDSHAKE_CLIENT_HELLO) {
                        return fail(Failure.NOT_CLIENT_HELLO);
                    }
                } else {
                    messageLength = messageLength << 8 | b;
                }
            }
            if (headerBytes == HANDSHAKE_HEADER && messageLength > MAX_CLIENT_HELLO) {
                return fail(Failure.TOO_LONG);
            }
            gathered += length;
            if (headerBytes == HANDSHAKE_HEADER) {
                int messageEnd = HANDSHAKE_HEADER + messageLength;
                // The hello is the client's whole first flight; what would share its last record?
                // A message must also end on a record boundary before a key change (RFC 8446 section 5.1).
                if (gathered > messageEnd) {
                    return fail(Failure.BAD_LENGTH);
                }
                if (gathered == messageEnd) {
                    return end > available ? NEED_MORE : end;
                }
            }
            record = end;
        }
    }

    /**
     * Second pass: the ClientHello's fields, in order, from records already checked and complete.
     *
     * @return 0 with {@code out} filled, or a failure
     */
    private static int message(ByteBuffer in, int from, ClientHello out) {
        RecordCursor c = out.cursor;
        c.start(from);
        c.u8(in); // msg_type, already checked
        int end = HANDSHAKE_HEADER + c.u24(in);
        if (end - c.offset() < 2 + 32 + 1) { // legacy_version, random, the session id's length
            return fail(Failure.BAD_LENGTH);
        }
        int version = c.u16(in);
        if (version < 0x0301 || version > TLS13) {
            return fail(Failure.BAD_VERSION);
        }
        c.skip(in, 32); // random
        int sessionId = c.u8(in);
        if (sessionId > 32) {
            return fail(Failure.BAD_SESSION_ID);
        }
        if (end - c.offset() < sessionId + 2) {
            return fail(Failure.BAD_LENGTH);
        }
        c.skip(in, sessionId);
        int suites = c.u16(in);
        if (suites < 2 || (suites & 1) != 0) {
            return fail(Failure.BAD_CIPHER_SUITES);
        }
        if (end - c.offset() < suites + 1) {
            return fail(Failure.BAD_LENGTH);
        }
        c.skip(in, suites);
        int methods = c.u8(in);
        if (methods == 0) {
            return fail(Failure.BAD_COMPRESSION);
        }
        if (end - c.offset() < methods) {
            return fail(Failure.BAD_LENGTH);
        }
        boolean hasNull = false;
        for (int i = 0; i < methods; i++) {
            hasNull |= c.u8(in) == 0;
        }
        // RFC 5246 section 7.4.1.2: the list MUST contain null; TLS 1.3 sends exactly that one.
        if (!hasNull) {
            return fail(Failure.BAD_COMPRESSION);
        }
        out.tlsVersion = version;
        // Before TLS 1.3 the extensions block may be absent altogether (RFC 5246 section 7.4.1.2).
        return c.offset() == end ? 0 : extensions(in, c, end, out);
    }

    private static int extensions(ByteBuffer in, RecordCursor c, int end, ClientHello out) {
        if (end - c.offset() < 2) {
            return fail(Failure.BAD_EXTENSIONS);
        }
        int total = c.u16(in);
        if (total != end - c.offset()) {
            return fail(Failure.BAD_EXTENSIONS);
        }
        long[] seen = out.seenExtensions;
        // 8 KiB, once per complete hello: cheaper than any other way to see all 65536 types at most once.
        Arrays.fill(seen, 0L);
        while (c.offset() < end) {
            if (end - c.offset() < 4) {
                return fail(Failure.BAD_EXTENSIONS);
            }
            int type = c.u16(in);
            int length = c.u16(in);
            if (length > end - c.offset()) {
                return fail(Failure.BAD_EXTENSIONS);
            }
            long bit = 1L << type; // the shift distance is taken mod 64: bit (type % 64) of word type / 64
            if ((seen[type >>> 6] & bit) != 0) {
                return fail(Failure.DUPLICATE_EXTENSION);
            }
            seen[type >>> 6] |= bit;
            int result = switch (type) {
                case EXTENSION_SERVER_NAME -> serverName(in, c, length, out);
                case EXTENSION_ALPN -> alpn(in, c, length, out);
                case EXTENSION_SUPPORTED_VERSIONS -> supportedVersions(in, c, length, out);
                default -> {
                    c.skip(in, length);
                    yield 0;
                }
            };
            if (result < 0) {
                return result;
            }
        }
        return 0;
    }

    /**
     * RFC 6066 section 3: a ServerNameList holding one host_name (the only name type, and no type
     * may appear twice), so the list is exactly one entry that fills the extension.
     */
    private static int serverName(ByteBuffer in, RecordCursor c, int length, ClientHello out) {
        if (length < 2 + 3 || c.u16(in) != length - 2 || c.u8(in) != 0) {
            return fail(Failure.BAD_SERVER_NAME);
        }
        int nameLength = c.u16(in);
        if (nameLength != length - 5 || nameLength == 0 || nameLength > ClientHello.MAX_SERVER_NAME) {
            return fail(Failure.BAD_SERVER_NAME);
        }
        byte[] name = out.serverName;
        int label = 0;
        for (int i = 0; i < nameLength; i++) {
            int b = c.u8(in);
            if (b == '.') {
                if (label == 0) {
                    return fail(Failure.BAD_SERVER_NAME);
                }
                label = 0;
            } else if (!hostCharacter(b) || ++label > 63) {
                return fail(Failure.BAD_SERVER_NAME);
            }
            // DNS names compare case-insensitively (RFC 4343): lower-cased here, routing compares bytes.
            name[i] = (byte) (b >= 'A' && b <= 'Z' ? b | 0x20 : b);
        }
        // RFC 6066 says the trailing dot is not sent; a client that sends it still means the same host.
        out.serverNameLength = label == 0 ? nameLength - 1 : nameLength;
        return 0;
    }

    /**
     * Letters, digits and hyphen (RFC 1123's host names) and underscore, which service names carry
     * and clients send; nothing else: no IDN in U-labels, no spaces, no bytes a log would misread.
     */
    private static boolean hostCharacter(int b) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_';
    }

    /** RFC 7301 section 3.1: ProtocolName protocol_name_list<2..2^16-1>, each opaque<1..2^8-1>. */
    private static int alpn(ByteBuffer in, RecordCursor c, int length, ClientHello out) {
        if (length < 2) {
            return fail(Failure.BAD_ALPN);
        }
        int left = c.u16(in);
        if (left != length - 2 || left < 2) {
            return fail(Failure.BAD_ALPN);
        }
        int kept = 0;
        while (left > 0) {
            int nameLength = c.u8(in);
            left--;
            if (nameLength == 0 || nameLength > left) {
                return fail(Failure.BAD_ALPN);
            }
            left -= nameLength;
            if (kept == ClientHello.MAX_ALPN) {
                c.skip(in, nameLength);
                continue;
            }
            byte[] name = out.alpn[kept];
            for (int i = 0; i < nameLength; i++) {
                name[i] = (byte) c.u8(in);
            }
            out.alpnLengths[kept++] = nameLength;
        }
        out.alpnCount = kept;
        return 0;
    }

    /** RFC 8446 section 4.2.1: in a ClientHello, ProtocolVersion versions<2..254>. */
    private static int supportedVersions(ByteBuffer in, RecordCursor c, int length, ClientHello out) {
        if (length < 1) {
            return fail(Failure.BAD_SUPPORTED_VERSIONS);
        }
        int listLength = c.u8(in);
        if (listLength != length - 1 || listLength < 2 || (listLength & 1) != 0) {
            return fail(Failure.BAD_SUPPORTED_VERSIONS);
        }
        boolean tls13 = false;
        for (int i = 0; i < listLength; i += 2) {
            tls13 |= c.u16(in) == TLS13;
        }
        out.offersTls13 = tls13;
        return 0;
    }
}
