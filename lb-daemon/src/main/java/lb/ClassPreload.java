package lb;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up thread. Loads every lb class before the daemon serves. The JVM loads a class when first
 * used, and from a class directory (or a jar it must reopen) that needs a descriptor: a host out of
 * descriptors would then fail a session's close, an acceptor or the admin thread with
 * NoClassDefFoundError, on the very path that should cope with running out. Loading is without
 * initialization, so no static state starts early; it costs a few milliseconds.
 */
final class ClassPreload {

    private static final Logger LOG = LoggerFactory.getLogger(ClassPreload.class);

    private ClassPreload() {
    }

    /** Loads the classes under {@code lb/} beside {@code anchor} (its directory or jar); returns how many. */
    static int loadAll(Class<?> anchor) {
        ClassLoader loader = anchor.getClassLoader();
        int loaded = 0;
        try {
            Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(location)) {
                try (Stream<Path> files = Files.walk(location.resolve("lb"))) {
                    for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                        loaded += load(location.relativize(p).toString(), loader);
                    }
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                        String name = entries.nextElement().getName();
                        if (name.startsWith("lb/") && name.endsWith(".class")) {
                            loaded += load(name, loader);
                        }
                    }
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            LOG.debug("class preload incomplete: {}", e.toString()); // classes then load when first used
        }
        return loaded;
    }

    private static int load(String file, ClassLoader loader) {
        String name = file.substring(0, file.length() - ".class".length()).replace('/', '.').replace('\\', '.');
        try {
            Class.forName(name, false, loader);
            return 1;
        } catch (ClassNotFoundException | LinkageError e) {
            return 0;
        }
    }
}
