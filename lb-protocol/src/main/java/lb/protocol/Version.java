package lb.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Any thread. The version baked into the jar at build time. */
public final class Version {

    private static final String TEXT = load();

    private Version() {
    }

    public static String text() {
        return TEXT;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/lb-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
