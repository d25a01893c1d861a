package lb.bench.proxy;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Any thread (stateless). The lb configurations bench writes for itself: one listener on
 * 127.0.0.1:0, one round-robin pool over bench's backends, no admin socket (several may run at
 * once and none needs lb-cli), no access log (a line per session would cost more than the relay).
 */
public final class LbToml {

    private LbToml() {
    }

    /**
     * @param retries         the pool's {@code retries} (other backends tried after a failed connect)
     * @param circuitBreaking tcp health checks every 200 ms (fall 2, rise 2) and outlier ejection
     *                        after 3 consecutive failures; false = neither
     */
    public static String roundRobin(String name, List<InetSocketAddress> backends, int workers, int retries,
                                    boolean circuitBreaking) {
        StringBuilder toml = new StringBuilder();
        toml.append("[daemon]\n")
                .append("workers = ").append(workers).append('\n')
                .append("admin_socket = \"\"\n")
                .append("access_log = false\n")
                .append("shutdown_grace = \"1s\"\n\n")
                .append("[[listener]]\n")
                .append("name = \"").append(name).append("\"\n")
                .append("bind = \"127.0.0.1:0\"\n")
                .append("pool = \"").append(name).append("\"\n")
                .append("connect_timeout = \"1s\"\n\n")
                .append("[[pool]]\n")
                .append("name = \"").append(name).append("\"\n")
                .append("algorithm = \"round_robin\"\n")
                .append("retries = ").append(retries).append('\n');
        if (circuitBreaking) {
            // initial_state "up": the clients start as soon as lb listens, before a first probe.
            toml.append("\n[pool.health]\n")
                    .append("type = \"tcp\"\n")
                    .append("interval = \"200ms\"\n")
                    .append("timeout = \"200ms\"\n")
                    .append("fall = 2\n")
                    .append("rise = 2\n")
                    .append("initial_state = \"up\"\n\n")
                    .append("[pool.outlier]\n")
                    .append("consecutive_failures = 3\n");
        }
        for (int i = 0; i < backends.size(); i++) {
            InetSocketAddress b = backends.get(i);
            toml.append("\n[[pool.backend]]\n")
                    .append("name = \"b").append(i + 1).append("\"\n")
                    .append("address = \"").append(b.getAddress().getHostAddress()).append(':').append(b.getPort())
                    .append("\"\n");
        }
        return toml.toString();
    }
}
