package lb.bench.compare;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Any thread (immutable). The proxies {@code bench compare} knows how to configure and start. */
enum ProxyKind {
    LB("lb", null, "lb"),
    HAPROXY("haproxy", "haproxy", "haproxy"),
    NGINX("nginx", "nginx", "nginx libnginx-mod-stream");

    private final String cliName;
    private final String binary;
    private final String debianPackages;

    ProxyKind(String cliName, String binary, String debianPackages) {
        this.cliName = cliName;
        this.binary = binary;
        this.debianPackages = debianPackages;
    }

    String cliName() {
        return cliName;
    }

    String debianPackages() {
        return debianPackages;
    }

    /**
     * The proxy's executable: searched on PATH, then in /usr/sbin and /usr/local/sbin, where
     * Debian installs both and which a non-root PATH often lacks. Empty for lb (started by
     * {@link lb.bench.proxy.LbLauncher}) and for a proxy that is not installed.
     */
    Optional<Path> executable() {
        if (binary == null) {
            return Optional.empty();
        }
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.add("/usr/sbin");
        dirs.add("/usr/local/sbin");
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, binary);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    static ProxyKind of(String name) {
        for (ProxyKind kind : values()) {
            if (kind.cliName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown proxy '" + name + "': use lb, haproxy or nginx");
    }
}
