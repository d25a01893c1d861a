package lb.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Any thread (stateless). The bytes of a health probe's {@code send} and {@code expect} strings:
 * UTF-8, with the escapes {@code \r \n \t \0 \\ \xHH} so that binary protocols can be probed.
 */
public final class ProbeBytes {

    private ProbeBytes() {
    }

    /** @throws IllegalArgumentException naming the bad escape */
    public static byte[] unescape(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        int i = 0;
        while (i < text.length()) {
            int end = text.indexOf('\\', i);
            if (end < 0) {
                end = text.length();
            }
            out.writeBytes(text.substring(i, end).getBytes(StandardCharsets.UTF_8));
            if (end == text.length()) {
                break;
            }
            if (end + 1 >= text.length()) {
                throw new IllegalArgumentException("ends with a lone \\ (escapes: \\r \\n \\t \\0 \\\\ \\xHH)");
            }
            char c = text.charAt(end + 1);
            i = end + 2;
            switch (c) {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case '0' -> out.write(0);
                case '\\' -> out.write('\\');
                case 'x' -> {
                    if (i + 2 > text.length() || Character.digit(text.charAt(i), 16) < 0
                            || Character.digit(text.charAt(i + 1), 16) < 0) {
                        throw new IllegalArgumentException("\\x must be followed by two hex digits");
                    }
                    out.write(Integer.parseInt(text.substring(i, i + 2), 16));
                    i += 2;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + c
                        + " (escapes: \\r \\n \\t \\0 \\\\ \\xHH)");
            }
        }
        return out.toByteArray();
    }
}
