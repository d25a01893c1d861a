package lb.systemd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.log.RateLimitedLog;

/**
 * Any thread: sends are serialised on one lock, and none blocks, since the socket is non-blocking
 * (a full queue at systemd drops the message instead of stalling the caller). systemd's notify
 * protocol ({@code sd_notify(3)}) without libsystemd: each message is one datagram of
 * newline-separated {@code KEY=value} assignments to the Unix socket named by {@code NOTIFY_SOCKET}.
 * The JDK has no Unix datagram sockets (only stream ones), hence junixsocket.
 *
 * <p>Without {@code NOTIFY_SOCKET} (tests, a terminal, {@code Type=exec}) the notifier is a no-op and
 * every method returns at once. A send never throws: a failure is logged at most once a minute and
 * the next send tries again, because lb runs just as well when systemd does not hear it.
 *
 * <p>The environment is left as it is ({@code sd_notify}'s {@code unset_environment} is not copied):
 * a process that lb starts to take over from it during an upgrade needs {@code NOTIFY_SOCKET} to
 * tell systemd it is ready. systemd accepts that only once it knows the new main pid
 * ({@link #mainPid}, sent by the old process), or with {@code NotifyAccess=all}.
 */
public final class SystemdNotifier implements AutoCloseable {

    /** The environment variable systemd sets for a {@code Type=notify} service. */
    public static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";

    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);
    // A socket that has gone away stays away; one line a minute says so without filling the journal
    // from the watchdog's pings.
    private static final long FAILURE_LOG_INTERVAL_NS = 60_000_000_000L;
    private static final SystemdNotifier DISABLED = new SystemdNotifier(null);

    /** NOTIFY_SOCKET as given: a path, or {@code @name} for the abstract namespace; null when disabled. */
    private final String socketName;
    private final RateLimitedLog failureLog = new RateLimitedLog(LOG, FAILURE_LOG_INTERVAL_NS);
    private final Object lock = new Object();
    // Guarded by lock. Opened at the first send, not in fromEnvironment: that loads junixsocket's
    // native library, which a run without systemd never needs. Reopened after a failure.
    private AFUNIXSocketAddress address;
    private AFUNIXDatagramChannel channel;
    private boolean closed;

    private SystemdNotifier(String socketName) {
        this.socketName = socketName;
    }

    /**
     * The notifier for {@code env}'s {@code NOTIFY_SOCKET}, or a no-op one when it is unset, empty,
     * or neither an absolute path nor an abstract {@code @name} (logged: systemd never sets such a
     * value, and {@code vsock:} addresses for VMs are not supported). Does no I/O.
     */
    public static SystemdNotifier fromEnvironment(Map<String, String> env) {
        String value = env.get(NOTIFY_SOCKET);
        if (value == null || value.isEmpty()) {
            return DISABLED;
        }
        if (!value.startsWith("/") && !(value.startsWith("@") && value.length() > 1)) {
            LOG.warn("{}={} is neither an absolute path nor an abstract @name: not notifying systemd",
                    NOTIFY_SOCKET, value);
            return DISABLED;
        }
        return new SystemdNotifier(value);
    }

    /** Whether messages are sent (NOTIFY_SOCKET was set); false for the no-op notifier. */
    public boolean enabled() {
        return socketName != null;
    }

    /** {@code READY=1}: startup is complete (listeners bound, loops running). */
    public boolean ready() {
        return send("READY=1");
    }

    /**
     * {@code STATUS=text}: a line for {@code systemctl status}. Control characters (a newline would
     * start another assignment) become spaces.
     */
    public boolean status(String text) {
        return send("STATUS=" + (text == null ? "" : text));
    }

    /** {@code STOPPING=1}: shutdown has begun (the drain may take a while). */
    public boolean stopping() {
        return send("STOPPING=1");
    }

    /** {@code MAINPID=pid}: the service's main process is now {@code pid} (an upgrade's new process). */
    public boolean mainPid(long pid) {
        return send("MAINPID=" + pid);
    }

    /** {@code WATCHDOG=1}: alive; see {@link Watchdog}, which decides when to send it. */
    public boolean watchdog() {
        return send("WATCHDOG=1");
    }

    /**
     * {@code RELOADING=1} with {@code MONOTONIC_USEC}, which {@code Type=notify-reload} (systemd 253)
     * requires: CLOCK_MONOTONIC in µs. On Linux, HotSpot's {@link System#nanoTime()} reads that
     * clock, so the value matches what systemd compares it with. Follow with {@link #readyAgain()}.
     */
    public boolean reloading() {
        return send("RELOADING=1", "MONOTONIC_USEC=" + System.nanoTime() / 1_000);
    }

    /** {@code READY=1} after {@link #reloading()}: the reload is done (or failed and was rolled back). */
    public boolean readyAgain() {
        return send("READY=1");
    }

    /**
     * Sends {@code assignments} ({@code KEY=value} each) as one datagram, one per line, each with
     * its control characters replaced by spaces. True once the datagram has been handed to the
     * kernel; false when disabled, closed, given nothing, or the send failed (logged at most once a
     * minute). Never throws, never waits for systemd.
     */
    public boolean send(String... assignments) {
        if (socketName == null || assignments == null || assignments.length == 0) {
            return false;
        }
        ByteBuffer datagram = StandardCharsets.UTF_8.encode(message(assignments));
        synchronized (lock) {
            if (closed) {
                return false;
            }
            try {
                if (channel == null) {
                    open();
                }
                if (channel.send(datagram, address) > 0) {
                    return true;
                }
                // Non-blocking and nothing sent: the socket's queue is full (systemd is busy or hung).
                failed(assignments, "the socket's queue is full, message dropped");
            } catch (Exception | LinkageError e) {
                // LinkageError: junixsocket's native library could not be loaded here (unsupported
                // platform, or a temp directory it cannot unpack into). lb carries on without systemd.
                failed(assignments, e.toString());
                closeChannel();
            }
            return false;
        }
    }

    /** Closes the socket; later sends do nothing. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            closeChannel();
        }
    }

    @Override
    public String toString() {
        return socketName == null ? "SystemdNotifier[disabled]" : "SystemdNotifier[" + socketName + "]";
    }

    /** Under lock: resolves the address (once) and opens an unbound, non-blocking datagram socket. */
    private void open() throws Exception {
        if (address == null) {
            address = socketName.startsWith("@")
                    ? AFUNIXSocketAddress.inAbstractNamespace(socketName.substring(1))
                    : AFUNIXSocketAddress.of(Path.of(socketName));
        }
        AFUNIXDatagramChannel opened = AFUNIXDatagramChannel.open();
        try {
            opened.configureBlocking(false);
        } catch (Exception e) {
            opened.close();
            throw e;
        }
        channel = opened;
    }

    /** Under lock. */
    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (Exception e) {
                LOG.debug("closing the notify socket failed", e); // nothing was pending on it
            }
            channel = null;
        }
    }

    /** Under lock. The first assignment names the message in the line (the rest may be long). */
    private void failed(String[] assignments, String reason) {
        failureLog.warn(System.nanoTime(), "could not notify systemd at " + NOTIFY_SOCKET + "=" + socketName
                + " (" + clean(assignments[0]) + "): " + reason);
    }

    /** The datagram's text: the assignments, cleaned, one per line. */
    static String message(String... assignments) {
        StringBuilder text = new StringBuilder();
        for (String assignment : assignments) {
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append(clean(assignment));
        }
        return text.toString();
    }

    /** {@code assignment} on one line: each control character (newline, tab, ESC, DEL...) a space. */
    static String clean(String assignment) {
        if (assignment == null) {
            return "";
        }
        StringBuilder line = null;
        for (int i = 0; i < assignment.length(); i++) {
            if (Character.isISOControl(assignment.charAt(i))) {
                if (line == null) {
                    line = new StringBuilder(assignment);
                }
                line.setCharAt(i, ' ');
            }
        }
        return line == null ? assignment : line.toString();
    }
}
