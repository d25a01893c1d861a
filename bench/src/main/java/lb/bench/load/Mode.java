package lb.bench.load;

import java.util.Locale;

import picocli.CommandLine;

/** Any thread (immutable). What {@code bench load} measures. */
public enum Mode {
    /** Bulk bytes over long-lived streams: Gbit/s. */
    THROUGHPUT("Gbit/s"),
    /** Request/response ping-pong over persistent connections: requests/s and latency. */
    RR("req/s"),
    /** A new connection per request: connect, send, read the echo, close. Connections/s and latency. */
    CRR("conn/s"),
    /**
     * A new TLS connection per operation: connect, full handshake (with SNI and ALPN as asked),
     * send, read the echo, close. Connections/s and latency, handshake included.
     */
    TLS("conn/s"),
    /** Open connections and hold them, idle, for the duration. */
    IDLE("held");

    private final String rateUnit;

    Mode(String rateUnit) {
        this.rateUnit = rateUnit;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The unit of the progress line's rate. */
    String rateUnit() {
        return rateUnit;
    }

    /** A new connection per operation, at most {@code --connections} at a time (crr, tls). */
    boolean churns() {
        return this == CRR || this == TLS;
    }

    /** Any thread. {@code --mode throughput|rr|crr|tls|idle}. */
    public static final class Converter implements CommandLine.ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            for (Mode mode : values()) {
                if (mode.cliName().equalsIgnoreCase(value)) {
                    return mode;
                }
            }
            throw new CommandLine.TypeConversionException(
                    "unknown mode '" + value + "': use throughput, rr, crr, tls or idle");
        }
    }
}
