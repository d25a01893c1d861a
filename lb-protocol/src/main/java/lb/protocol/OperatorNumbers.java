package lb.protocol;

/**
 * Any thread (stateless). Numbers typed on a command line (lb-cli, bench), read with messages in
 * operator words ("expected a whole number such as 5, got 'abc'") instead of Java's type names.
 */
public final class OperatorNumbers {

    private OperatorNumbers() {
    }

    /** A whole number; IllegalArgumentException with the message to show otherwise. */
    public static long wholeLong(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number such as 5, got '" + text + "'");
        }
    }

    /** A whole number that fits an int. */
    public static int wholeInt(String text) {
        long n = wholeLong(text);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return (int) n;
    }

    /** A finite number, fractions allowed. */
    public static double number(String text) {
        try {
            double n = Double.parseDouble(text.trim());
            if (Double.isFinite(n)) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("expected a number such as 5 or 0.5, got '" + text + "'");
    }
}
