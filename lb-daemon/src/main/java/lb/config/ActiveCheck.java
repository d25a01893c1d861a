package lb.config;

import java.time.Duration;

/**
 * Immutable; any thread. A pool's active health check: the {@code [pool.health]} table.
 *
 * @param type         how a backend is probed
 * @param interval     between the starts of two probes of one backend
 * @param timeout      a probe not passed within this fails; below {@code interval}
 * @param rise         passes in a row that bring a DOWN backend UP
 * @param fall         failures in a row that take an UP backend DOWN
 * @param port         port to probe, or 0 for the backend's own
 * @param path         http: request path
 * @param host         http: Host header, or null for the backend's address
 * @param statusMin    http: lowest passing status
 * @param statusMax    http: highest passing status
 * @param send         send_expect: bytes sent once connected (may be empty)
 * @param expect       send_expect: the reply must start with these bytes
 * @param initialUp    whether backends take sessions before their first probe passed
 */
public record ActiveCheck(Type type, Duration interval, Duration timeout, int rise, int fall, int port, String path,
                          String host, int statusMin, int statusMax, byte[] send, byte[] expect, boolean initialUp) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_RISE = 2;
    public static final int DEFAULT_FALL = 3;
    public static final String DEFAULT_PATH = "/";
    public static final int DEFAULT_STATUS_MIN = 200;
    public static final int DEFAULT_STATUS_MAX = 399;

    /** How a probe decides. */
    public enum Type {
        /** The TCP connect completes. */
        TCP("tcp"),
        /** An HTTP/1.0 GET answers with a status in range. */
        HTTP("http"),
        /** After sending {@code send}, the reply starts with {@code expect}. */
        SEND_EXPECT("send_expect");

        private final String configName;

        Type(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    public ActiveCheck {
        send = send == null ? new byte[0] : send.clone();
        expect = expect == null ? new byte[0] : expect.clone();
    }

    @Override
    public byte[] send() {
        return send.clone();
    }

    @Override
    public byte[] expect() {
        return expect.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActiveCheck c && type == c.type && interval.equals(c.interval) && timeout.equals(c.timeout)
                && rise == c.rise && fall == c.fall && port == c.port && java.util.Objects.equals(path, c.path)
                && java.util.Objects.equals(host, c.host) && statusMin == c.statusMin && statusMax == c.statusMax
                && java.util.Arrays.equals(send, c.send) && java.util.Arrays.equals(expect, c.expect)
                && initialUp == c.initialUp;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(type, interval, timeout, rise, fall, port, path, host, statusMin, statusMax,
                java.util.Arrays.hashCode(send), java.util.Arrays.hashCode(expect), initialUp);
    }

    @Override
    public String toString() {
        return "ActiveCheck[" + type.configName() + " every " + interval + ", timeout " + timeout + ", rise " + rise
                + ", fall " + fall + "]";
    }
}
