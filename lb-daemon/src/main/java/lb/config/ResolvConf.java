package lb.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Any thread (stateless). The name servers of {@code /etc/resolv.conf}: what a {@code [pool.discovery]}
 * without {@code resolvers} asks, read when the config is loaded (a reload reads it again), as
 * glibc reads it: {@code nameserver ADDRESS} lines, port 53, at most three; none (or no file) means
 * the local host, {@code 127.0.0.1:53}.
 */
public final class ResolvConf {

    public static final Path DEFAULT = Path.of("/etc/resolv.conf");
    /** glibc's MAXNS. */
    static final int MAX_NAMESERVERS = 3;

    private ResolvConf() {
    }

    public static List<InetSocketAddress> nameservers(Path file) {
        List<InetSocketAddress> servers = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            lines = List.of();
        }
        for (String line : lines) {
            String[] words = line.trim().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver") && servers.size() < MAX_NAMESERVERS) {
                InetAddress ip = literal(words[1]);
                if (ip != null) {
                    servers.add(new InetSocketAddress(ip, 53));
                }
            }
        }
        if (servers.isEmpty()) {
            servers.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), 53));
        }
        return servers;
    }

    /** {@code text} as an IP address if it is an IPv4 or IPv6 literal (never a name lookup), else null. */
    static InetAddress literal(String text) {
        boolean v4 = text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = text.contains(":") && text.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.\\-]+)?");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(text); // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
