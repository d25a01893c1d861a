package lb.testing;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Owned by the test thread. Closes everything a test started (daemons, backends, clients,
 * processes) after each test, newest first, so no process or socket outlives its test:
 * {@code @RegisterExtension final Cleanup cleanup = new Cleanup();} then
 * {@code cleanup.track(resource)}.
 */
public final class Cleanup implements AfterEachCallback {

    private final List<AutoCloseable> resources = new ArrayList<>();

    public <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception first = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        resources.clear();
        if (first != null) {
            throw first;
        }
    }
}
