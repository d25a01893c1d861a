package lb.config;

import java.util.List;

/**
 * Any thread (immutable). A configuration was rejected; {@link #errors()} holds every problem found,
 * not just the first, so one {@code --check-config} run shows them all.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<ConfigError> errors;

    /** @param errors at least one */
    public ConfigException(List<ConfigError> errors) {
        super(lines(errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    public ConfigException(ConfigError error) {
        this(List.of(error));
    }

    /** In the order they should be shown. */
    public List<ConfigError> errors() {
        return errors;
    }

    private static String lines(List<ConfigError> errors) {
        StringBuilder text = new StringBuilder();
        for (ConfigError error : errors) {
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append(error);
        }
        return text.toString();
    }
}
