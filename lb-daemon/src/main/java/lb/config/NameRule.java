package lb.config;

import java.util.regex.Pattern;

/**
 * Any thread (immutable). Which names a {@code [[listener]]}, {@code [[pool]]} or
 * {@code [[pool.backend]]} may have.
 */
enum NameRule {

    /** Listener and pool names. */
    PLAIN("[A-Za-z0-9_.-]{1,64}", "1..64 characters from A-Z a-z 0-9 _ . -"),
    /** Backend names default to the address as written, so they may hold ':' and brackets. */
    BACKEND("[\\x21-\\x7e]{1,255}", "1..255 printable ASCII characters, no spaces");

    private final Pattern pattern;
    private final String text;

    NameRule(String regex, String text) {
        this.pattern = Pattern.compile(regex);
        this.text = text;
    }

    boolean matches(String name) {
        return pattern.matcher(name).matches();
    }

    /** The rule in words, as error messages list it. */
    String text() {
        return text;
    }
}
