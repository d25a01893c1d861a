package lb.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Any thread (stateless). Byte sizes as the config writes them: a TOML integer (bytes), or a string
 * of a non-negative integer and a binary unit, {@code "512B"}, {@code "64KiB"}, {@code "4MiB"},
 * {@code "1GiB"}. Decimal units ("64KB") are rejected rather than guessed: buffer sizes are powers
 * of two and a silent factor of 1.024 is worse than an error.
 */
public final class Sizes {

    /** What a valid size looks like; ends every "not a size" message. */
    public static final String HINT = "use a byte count, or e.g. \"512B\", \"64KiB\", \"4MiB\", \"1GiB\"";

    public static final long KIB = 1024;
    public static final long MIB = 1024 * KIB;
    public static final long GIB = 1024 * MIB;

    private static final Pattern FORM = Pattern.compile("([0-9]+)(B|KiB|MiB|GiB)");

    private Sizes() {
    }

    /**
     * @throws IllegalArgumentException with a message fit for a {@link ConfigError}, quoting {@code text}
     */
    public static long parse(String text) {
        Matcher form = FORM.matcher(text);
        if (!form.matches()) {
            throw new IllegalArgumentException(notASize(ConfigError.quote(text)));
        }
        long unit = switch (form.group(2)) {
            case "KiB" -> KIB;
            case "MiB" -> MIB;
            case "GiB" -> GIB;
            default -> 1;
        };
        try {
            return Math.multiplyExact(Long.parseLong(form.group(1)), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(ConfigError.quote(text) + " is too large (at most 2^63-1 bytes)", e);
        }
    }

    /** The largest unit that keeps the value exact: 65536 → "64KiB", 1000 → "1000B". */
    public static String format(long bytes) {
        if (bytes != 0 && bytes % GIB == 0) {
            return bytes / GIB + "GiB";
        }
        if (bytes != 0 && bytes % MIB == 0) {
            return bytes / MIB + "MiB";
        }
        if (bytes != 0 && bytes % KIB == 0) {
            return bytes / KIB + "KiB";
        }
        return bytes + "B";
    }

    /** @param shown the value as {@link ConfigError#show} renders it */
    static String notASize(String shown) {
        return shown + " is not a size (" + HINT + ")";
    }
}
