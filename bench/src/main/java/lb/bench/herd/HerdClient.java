package lb.bench.herd;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

import lb.bench.load.ErrorKind;

/**
 * Owned by its own client thread (only {@link #stop()} is called from others). One herd client:
 * connect, send a small request, read the echo, (hold,) close, and again at once, until the end
 * of the run. A failed session is handled by the {@link RetryPolicy}. Blocking sockets on purpose:
 * each client is a plain thread that reconnects as fast as its socket allows, as a crowd of
 * independent processes would.
 */
final class HerdClient implements Runnable {

    private final HerdPlan plan;
    private final InetSocketAddress target;
    private final HerdCounters counters;
    private final long endNs;
    private final SplittableRandom random;
    private final byte[] request;
    private final byte[] reply;
    private volatile boolean stopped;

    HerdClient(HerdPlan plan, InetSocketAddress target, HerdCounters counters, long endNs, long seed) {
        this.plan = plan;
        this.target = target;
        this.counters = counters;
        this.endNs = endNs;
        this.random = new SplittableRandom(seed);
        this.request = new byte[plan.requestSize()];
        this.reply = new byte[plan.requestSize()];
        for (int i = 0; i < request.length; i++) {
            request[i] = (byte) ('a' + i % 26);
        }
    }

    void stop() {
        stopped = true;
    }

    private boolean running() {
        return !stopped && System.nanoTime() - endNs < 0;
    }

    @Override
    public void run() {
        while (running()) {
            for (int attempt = 0; running(); attempt++) {
                ErrorKind failure = session();
                if (failure == null) {
                    counters.addOk();
                    break;
                }
                long nowNs = System.nanoTime();
                counters.addError(failure, nowNs);
                if (!plan.retry().retries() || attempt + 1 >= RetryPolicy.MAX_ATTEMPTS) {
                    counters.addGivenUp();
                    break;
                }
                pause(plan.retry().backoffNs(attempt, random));
            }
        }
    }

    /** Parks for {@code ns}, but not past the end of the run. */
    private void pause(long ns) {
        long untilNs = System.nanoTime() + ns;
        long leftNs;
        while (!stopped && (leftNs = Math.min(untilNs, endNs) - System.nanoTime()) > 0) {
            LockSupport.parkNanos(leftNs);
        }
    }

    /** One session; null when it completed, else why it failed. */
    private ErrorKind session() {
        int timeoutMs = (int) Math.max(1, plan.timeoutNs() / 1_000_000L);
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(target, timeoutMs);
            socket.setSoTimeout(timeoutMs);
            socket.getOutputStream().write(request);
            InputStream in = socket.getInputStream();
            for (int got = 0; got < reply.length; ) {
                int n = in.read(reply, got, reply.length - got);
                if (n < 0) {
                    return ErrorKind.CLOSED; // what lb does when it has no backend for the client
                }
                got += n;
            }
            if (plan.holdNs() > 0) {
                pause(plan.holdNs());
            }
            return null;
        } catch (SocketTimeoutException e) {
            return ErrorKind.TIMEOUT;
        } catch (ConnectException e) {
            return message(e).contains("timed out") ? ErrorKind.TIMEOUT : ErrorKind.REFUSED;
        } catch (SocketException e) {
            String message = message(e);
            return message.contains("reset") || message.contains("broken pipe") ? ErrorKind.RESET : ErrorKind.OTHER;
        } catch (IOException e) {
            return ErrorKind.OTHER;
        }
    }

    private static String message(IOException e) {
        return String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    }
}
