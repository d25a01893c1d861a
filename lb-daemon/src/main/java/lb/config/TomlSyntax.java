package lb.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.moandjiezana.toml.Toml;

/**
 * Any thread (stateless). toml4j's parse, with its errors turned into {@link ConfigError}s keyed
 * {@code line N}.
 */
final class TomlSyntax {

    private static final Pattern ON_LINE = Pattern.compile("(.*?) on line (\\d+)(.*)");
    /** {@code key =} with nothing after it but an optional comment. */
    private static final Pattern NO_VALUE = Pattern.compile("\\s*([^\\s=#\\[][^=#]*?)\\s*=\\s*(#.*)?");

    private TomlSyntax() {
    }

    static Map<String, Object> read(String toml) throws ConfigException {
        if (toml.startsWith("\uFEFF")) {
            toml = toml.substring(1);
        }
        int depth = nesting(toml);
        if (depth > MAX_NESTING) {
            throw new ConfigException(new ConfigError("toml", "arrays or inline tables nested " + depth
                    + " deep (at most " + MAX_NESTING + ")"));
        }
        try {
            Map<String, Object> root = new Toml().read(toml).toMap();
            List<ConfigError> missingValues = missingValues(toml);
            if (!missingValues.isEmpty()) {
                throw new ConfigException(missingValues);
            }
            return root;
        } catch (IllegalStateException e) {
            throw new ConfigException(errors(e.getMessage()));
        } catch (NumberFormatException e) {
            // toml4j lets Long.parseLong fail on integers beyond 64 bits, without a line number.
            throw new ConfigException(new ConfigError("toml", "integer too large for 64 bits (" + e.getMessage() + ")"));
        } catch (RuntimeException | StackOverflowError e) {
            // A parser bug must still end as a config error, not a stack trace from --check-config.
            throw new ConfigException(new ConfigError("toml", "cannot parse (" + e + ")"));
        }
    }

    /** Deeper nesting is refused before parsing: toml4j parses recursively, and a config needs 2 levels. */
    static final int MAX_NESTING = 32;

    /** The deepest nesting of brackets and braces outside strings and comments. */
    static int nesting(String toml) {
        int depth = 0;
        int deepest = 0;
        for (int i = 0; i < toml.length(); i++) {
            char c = toml.charAt(i);
            if (c == '#') {
                while (i < toml.length() && toml.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '"' || c == '\'') {
                boolean triple = toml.startsWith(String.valueOf(c).repeat(3), i);
                String close = triple ? String.valueOf(c).repeat(3) : String.valueOf(c);
                int from = i + close.length();
                int end = from;
                while (end < toml.length() && !toml.startsWith(close, end)) {
                    end += c == '"' && toml.charAt(end) == '\\' ? 2 : 1; // a basic string's escape
                }
                i = end + close.length() - 1;
            } else if (c == '[' || c == '{') {
                deepest = Math.max(deepest, ++depth);
            } else if (c == ']' || c == '}') {
                depth = Math.max(0, depth - 1);
            }
        }
        return deepest;
    }

    /**
     * One error per line of toml4j's message. A line without "on line N" after the first is the
     * rest of an unterminated value that toml4j quotes, not an error of its own.
     */
    private static List<ConfigError> errors(String message) {
        Map<String, ConfigError> errors = new LinkedHashMap<>();
        for (String line : String.valueOf(message).split("\n")) {
            Matcher onLine = ON_LINE.matcher(line);
            ConfigError error = null;
            if (onLine.matches()) {
                error = new ConfigError("line " + onLine.group(2), decapitalize(onLine.group(1) + onLine.group(3)));
            } else if (errors.isEmpty() && !line.isBlank()) {
                error = new ConfigError("toml", decapitalize(line));
            }
            if (error != null) {
                errors.putIfAbsent(error.toString(), error);
            }
        }
        if (errors.isEmpty()) {
            errors.put("", new ConfigError("toml", "cannot parse (" + message + ")"));
        }
        List<ConfigError> sorted = new ArrayList<>(errors.values());
        sorted.sort((a, b) -> ConfigLoader.compareKeyPaths(a.keyPath(), b.keyPath()));
        return sorted;
    }

    /**
     * toml4j 0.7.2 accepts {@code workers =} and drops the key, so its default would apply
     * silently; TOML says a value is required. Lines inside multi-line strings are skipped.
     */
    private static List<ConfigError> missingValues(String toml) {
        List<ConfigError> errors = new ArrayList<>();
        String[] lines = toml.split("\r?\n", -1);
        String openQuotes = null;
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            Matcher noValue = NO_VALUE.matcher(line);
            if (openQuotes == null && noValue.matches()) {
                String keyAndEquals = noValue.group(1) + " =";
                errors.add(new ConfigError("line " + (n + 1), "no value after " + ConfigError.quote(keyAndEquals)));
            }
            openQuotes = multiLineStringOpenAfter(line, openQuotes);
        }
        return errors;
    }

    /** Which multi-line string delimiter is still open at the end of {@code line}, if any. */
    private static String multiLineStringOpenAfter(String line, String open) {
        int from = 0;
        while (true) {
            if (open != null) {
                int close = line.indexOf(open, from);
                if (close < 0) {
                    return open;
                }
                from = close + 3;
                open = null;
            } else {
                int basic = line.indexOf("\"\"\"", from);
                int literal = line.indexOf("'''", from);
                if (basic < 0 && literal < 0) {
                    return null;
                }
                boolean basicFirst = literal < 0 || (basic >= 0 && basic < literal);
                open = basicFirst ? "\"\"\"" : "'''";
                from = (basicFirst ? basic : literal) + 3;
            }
        }
    }

    static String decapitalize(String text) {
        String trimmed = text.trim();
        return trimmed.isEmpty() ? trimmed : Character.toLowerCase(trimmed.charAt(0)) + trimmed.substring(1);
    }
}
