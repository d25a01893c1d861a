package lb.bench.herd;

import java.util.Locale;

/**
 * Any thread (stateless). {@code on} / {@code off} option values. Read as strings rather than
 * through a picocli converter: picocli treats a boolean field as a flag and would hand the
 * converter "true".
 */
final class OnOff {

    private OnOff() {
    }

    /** @throws IllegalArgumentException for anything but on or off */
    static boolean parse(String option, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(option + " '" + value + "': use on or off");
        };
    }

    static String text(boolean on) {
        return on ? "on" : "off";
    }
}
