package lb.bench.backend;

import java.util.Locale;

import picocli.CommandLine;

/** Any thread (immutable). What a test backend does with the connections it accepts. */
public enum BackendType {
    /** Writes back every byte it reads; half-closes back after the client does. */
    ECHO,
    /** Reads and discards: the far end of a push throughput test. */
    SINK,
    /** Writes an endless stream of bytes and discards what it reads: the far end of a pull test. */
    SOURCE,
    /** Answers every HTTP/1.x request with 200 and a body naming the backend; keep-alive as HTTP/1.1 says. */
    HTTP,
    /**
     * Terminates TLS with a self-signed certificate made at start (CN = its name) and echoes the
     * plaintext; with an announcement, writes it first, right after the handshake.
     */
    TLS_ECHO;

    /** The name on the command line and in the "listening" line. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Any thread. {@code --type echo|sink|source|http|tls-echo}. */
    public static final class Converter implements CommandLine.ITypeConverter<BackendType> {
        @Override
        public BackendType convert(String value) {
            for (BackendType type : values()) {
                if (type.cliName().equalsIgnoreCase(value)) {
                    return type;
                }
            }
            throw new CommandLine.TypeConversionException(
                    "unknown backend type '" + value + "': use echo, sink, source, http or tls-echo");
        }
    }
}
