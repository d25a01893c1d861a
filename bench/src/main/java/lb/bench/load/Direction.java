package lb.bench.load;

import java.util.Locale;

import picocli.CommandLine;

/** Any thread (immutable). Which way the bytes of a throughput test go. */
public enum Direction {
    /** bench writes (to an echo or sink backend); the bytes written count. */
    PUSH,
    /** bench reads (from a source backend); the bytes read count. */
    PULL;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Any thread. {@code --direction push|pull}. */
    public static final class Converter implements CommandLine.ITypeConverter<Direction> {
        @Override
        public Direction convert(String value) {
            for (Direction direction : values()) {
                if (direction.cliName().equalsIgnoreCase(value)) {
                    return direction;
                }
            }
            throw new CommandLine.TypeConversionException("unknown direction '" + value + "': use push or pull");
        }
    }
}
