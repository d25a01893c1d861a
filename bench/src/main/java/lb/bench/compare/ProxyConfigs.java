package lb.bench.compare;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Any thread (stateless). HAProxy and nginx {@code stream} configurations equivalent to the lb
 * one bench writes (LbToml): one TCP listener on loopback, round robin over the same backends,
 * as many threads / worker processes as lb has event loops, no logging per connection, 5 s
 * connect timeout. The shapes follow the shared compare.sh, so both tools measure the same thing.
 */
final class ProxyConfigs {

    /** Debian's dynamic stream module (package libnginx-mod-stream); absent where it is built in. */
    static final Path NGINX_STREAM_MODULE = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");

    private ProxyConfigs() {
    }

    static String haproxy(int port, List<InetSocketAddress> backends, int threads) {
        StringBuilder cfg = new StringBuilder();
        cfg.append("global\n")
                .append("    nbthread ").append(threads).append('\n')
                .append("    maxconn 9000\n") // HAProxy needs 2 fds per connection, under a 20000 fd limit
                .append("defaults\n")
                .append("    mode tcp\n")
                .append("    timeout connect 5s\n")
                .append("    timeout client 60s\n")
                .append("    timeout server 60s\n")
                .append("frontend fe\n")
                .append("    bind 127.0.0.1:").append(port).append('\n')
                .append("    default_backend be\n")
                .append("backend be\n")
                .append("    balance roundrobin\n");
        for (int i = 0; i < backends.size(); i++) {
            cfg.append("    server s").append(i + 1).append(' ').append(hostPort(backends.get(i))).append('\n');
        }
        return cfg.toString();
    }

    static String nginxStream(int port, List<InetSocketAddress> backends, int workers, Path dir) {
        StringBuilder cfg = new StringBuilder();
        if (Files.exists(NGINX_STREAM_MODULE)) {
            cfg.append("load_module ").append(NGINX_STREAM_MODULE).append(";\n");
        }
        cfg.append("worker_processes ").append(workers).append(";\n")
                .append("daemon off;\n")
                .append("pid ").append(dir.resolve("nginx-" + port + ".pid")).append(";\n")
                .append("error_log stderr warn;\n")
                .append("worker_rlimit_nofile 65536;\n")
                .append("events { worker_connections 20000; }\n")
                .append("stream {\n")
                .append("  upstream be {\n");
        for (InetSocketAddress b : backends) {
            cfg.append("    server ").append(hostPort(b)).append(";\n");
        }
        cfg.append("  }\n")
                .append("  server { listen 127.0.0.1:").append(port)
                .append(" reuseport; proxy_pass be; proxy_connect_timeout 5s; }\n")
                .append("}\n");
        return cfg.toString();
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
