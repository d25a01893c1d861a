package lb.testing;

/**
 * Any thread (stateless). The config files of a reload-under-load test, one per round (0 = at
 * start). Odd rounds drop backend c from pool "echo" and add listener "side" with a pool of its own
 * (c); even rounds bring c back and remove them. Backend a's weight changes every round, the
 * algorithm whenever {@link #algorithm} does; with health changes, every third round turns passive
 * checks on and the others off. {@code [daemon]} never changes: a reload refuses that.
 */
public final class ReloadRounds {

    private ReloadRounds() {
    }

    public static String algorithm(int round) {
        return round % 3 == 0 ? "round_robin" : "maglev";
    }

    public static int weight(int round) {
        return 1 + round % 4;
    }

    /** @param daemonKeys extra lines of the {@code [daemon]} table (an admin socket, say) */
    public static String config(int round, EchoBackend a, EchoBackend b, EchoBackend c, String daemonKeys,
                                boolean healthChanges) {
        String third = round % 2 == 0 ? """
                [[pool.backend]]
                name = "c"
                address = "127.0.0.1:%d"
                """.formatted(c.address().getPort()) : "";
        String passive = healthChanges && round % 3 == 0 ? """
                [pool.outlier]
                consecutive_failures = 5
                """ : "";
        String side = round % 2 == 1 ? """
                [[listener]]
                name = "side"
                bind = "127.0.0.1:0"
                pool = "side"
                [[pool]]
                name = "side"
                [[pool.backend]]
                name = "c"
                address = "127.0.0.1:%d"
                """.formatted(c.address().getPort()) : "";
        return """
                [daemon]
                workers = 2
                access_log = false
                %s
                [[listener]]
                name = "main"
                bind = "127.0.0.1:0"
                pool = "echo"
                [[pool]]
                name = "echo"
                algorithm = "%s"
                [[pool.backend]]
                name = "a"
                address = "127.0.0.1:%d"
                weight = %d
                [[pool.backend]]
                name = "b"
                address = "127.0.0.1:%d"
                %s%s%s""".formatted(daemonKeys, algorithm(round), a.address().getPort(), weight(round),
                b.address().getPort(), third, passive, side);
    }
}
