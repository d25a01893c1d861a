package lb.loop;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Arrays;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscChunkedArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.log.InjectedFault;
import lb.log.RateLimitedLog;

/**
 * Owned by its own thread, except {@link #submit}, {@link #stop} and the read-only getters marked
 * "any thread". One selector, one thread, and everything registered with it: sessions and both
 * their channels, the loop's read buffer, buffer pool and timer wheel.
 *
 * <p>Each pass: select (blocking until the next timer tick or a wakeup) and handle ready keys,
 * then expire timers, then run tasks other threads submitted; timers and tasks are capped per pass
 * so neither can starve I/O. Other threads never touch loop-owned objects: they {@link #submit} a
 * task, and the selector is woken only if the loop may be blocked (many submitters, one syscall).
 */
public final class EventLoop {

    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);

    /** Timer wheel resolution: timeouts fire at most about this late. */
    public static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int WHEEL_SLOTS = 512;
    private static final int MAX_TASKS_PER_PASS = 1024;
    private static final int MAX_TIMERS_PER_PASS = 4096;
    private static final int TASK_QUEUE_CHUNK = 256;
    private static final int TASK_QUEUE_MAX = 1 << 16;
    /**
     * Channels closed per pass; the rest wait for the next. Closing is kernel work (an RST and the
     * peer's wake-up on loopback, ~40 us each): 1,200 sessions reset in one pass (clients that
     * never read, refused a buffer) held every other session on the loop for 100 ms.
     */
    private static final int MAX_CLOSES_PER_PASS = 64;

    private final int index;
    private final Selector selector;
    private final Thread thread;
    private static final long LAG_WINDOW_NS = 1_000_000_000L;
    private final NanoClock clock;
    private final TimerWheel timers;
    // Sessions waiting for a descriptor (loop thread only).
    // Failures of one kind tend to repeat (a bug hit by every session): a line per second at most.
    private final RateLimitedLog handlerFailureLog = new RateLimitedLog(LOG, 1_000_000_000L);
    private final RateLimitedLog selectFailureLog = new RateLimitedLog(LOG, 10_000_000_000L);
    private final RateLimitedLog taskFailureLog = new RateLimitedLog(LOG, 1_000_000_000L);
    // Loop thread only: what runs after the next select (see afterNextSelect).
    private final java.util.List<Runnable> afterSelect = new java.util.ArrayList<>();
    private int descriptorWaiters;
    private final BufferPool buffers;
    private final ByteBuffer readBuffer;

    private final MessagePassingQueue<Runnable> tasks = new MpscChunkedArrayQueue<>(TASK_QUEUE_CHUNK, TASK_QUEUE_MAX);
    // True while the loop may be about to block in select(): the first submitter to flip it wakes it.
    private final AtomicBoolean mayBlock = new AtomicBoolean();
    private final AtomicLong rejectedTasks = new AtomicLong();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean stopped;

    // Fields only the loop thread reads or writes. Method references are built once, not per select.
    private final Consumer<SelectionKey> dispatch = this::dispatch;
    private final MessagePassingQueue.Consumer<Runnable> runTask = this::runTask;
    private long nowNs;
    private boolean clockStale;
    private long handlerFailures;
    // Loop lag: how long a pass (ready keys, timers, tasks) runs, during which nothing else is served.
    // busySinceNs is 0 while the loop selects. The pass shown is the longest since the one shown
    // before it went stale (older than a second): a plain copy here, published for other threads.
    private volatile long busySinceNs;
    private long passStartNs;
    private long shownPassNs;
    private long shownAtNs;
    private volatile long lagShownNs;
    private volatile long lagShownAtNs;
    // Channels whose keys were cancelled, to be closed once a select has deregistered them.
    private SelectableChannel[] toClose = new SelectableChannel[64];
    private int toCloseCount;

    public EventLoop(int index, NanoClock clock, int bufferSize, long bufferPoolMax) throws IOException {
        this.index = index;
        this.clock = clock;
        this.selector = Selector.open();
        this.nowNs = clock.nanoTime();
        this.timers = new TimerWheel(TICK_NS, WHEEL_SLOTS, nowNs);
        this.buffers = new BufferPool(bufferSize, bufferPoolMax);
        this.readBuffer = ByteBuffer.allocateDirect(bufferSize);
        this.thread = new Thread(this::run, "EventLoop-" + index);
    }

    /** Any thread: starts the loop's thread. */
    public void start() {
        thread.start();
    }

    /** Any thread. */
    public int index() {
        return index;
    }

    /** Any thread. */
    public String name() {
        return thread.getName();
    }

    public Selector selector() {
        return selector;
    }

    public TimerWheel timers() {
        return timers;
    }

    public BufferPool buffers() {
        return buffers;
    }

    /** The loop's one read buffer, shared by every session of the loop (a session drains it before returning). */
    public ByteBuffer readBuffer() {
        return readBuffer;
    }

    /** Loop thread: the pass begins (the first clock read after select); once per pass. */
    private void passStarted(long nowNs) {
        if (busySinceNs == 0) {
            passStartNs = nowNs;
            busySinceNs = nowNs == 0 ? 1 : nowNs;
        }
    }

    /** Loop thread: the pass that began at passStartNs ended now; publishes it if it is the longest lately. */
    private void passEnded(long nowNs) {
        busySinceNs = 0;
        long passNs = nowNs - passStartNs;
        if (passNs > shownPassNs || nowNs - shownAtNs > LAG_WINDOW_NS) {
            shownPassNs = passNs;
            shownAtNs = nowNs;
            lagShownNs = passNs;
            lagShownAtNs = nowNs;
        }
    }

    /**
     * Any thread: the loop's lag, in ns: the longest pass that ended in about the last second or two
     * (an idle loop has none), or the pass running now if it is longer (a loop stuck in one shows at
     * once). Whatever became ready meanwhile waited that long.
     */
    public long lagNs(long nowNs) {
        long busySince = busySinceNs;
        long current = busySince == 0 ? 0 : Math.max(0, nowNs - busySince);
        long shownAt = lagShownAtNs;
        long recent = shownAt != 0 && nowNs - shownAt <= 2 * LAG_WINDOW_NS ? lagShownNs : 0;
        return Math.max(current, recent);
    }

    /**
     * Any thread: for the watchdog, what is wrong with this loop, or null: its thread died, or it
     * has been in one pass for longer than {@code maxAgeNs} (a loop asleep in select is idle, not stuck).
     */
    public String stuck(long nowNs, long maxAgeNs) {
        if (!thread.isAlive()) {
            return thread.getName() + " has died";
        }
        long busySince = busySinceNs;
        long busyNs = busySince == 0 ? 0 : nowNs - busySince;
        return busyNs > maxAgeNs ? thread.getName() + " has been in one pass for " + busyNs / 1_000_000 + " ms" : null;
    }

    /** The clock as read once for this pass. */
    public long nowNs() {
        return nowNs;
    }

    /** Any thread: whether the caller is this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * Cancels {@code key} now and closes its channel after the next select has deregistered it.
     *
     * <p>Why not close at once: closing a channel that is still registered makes the JDK query
     * SO_LINGER and shut the socket down for writing before the real close happens at the next
     * select (SocketChannelImpl.implCloseNonBlockingMode); deferring saves those two syscalls per
     * socket, which is measurable on connection churn. The next select does not block while any
     * close is pending, so the peer still sees the FIN (or RST) within the same loop pass or the next.
     */
    public void closeAfterDeregistration(SelectionKey key) {
        key.cancel();
        if (toCloseCount == toClose.length) {
            toClose = Arrays.copyOf(toClose, toCloseCount * 2);
        }
        toClose[toCloseCount++] = key.channel();
    }

    /** Any thread: bytes of pending buffers lent out now. */
    public long pooledBytesInUse() {
        return buffers.bytesInUse();
    }

    /** Any thread: tasks refused because the queue was full. */
    public long rejectedTasks() {
        return rejectedTasks.get();
    }

    /**
     * Any thread: runs {@code task} on the loop between selects. Returns false (and counts it) when
     * the bounded queue is full or the loop has stopped; the caller decides what that means.
     */
    public boolean submit(Runnable task) {
        if (stopped || !tasks.offer(task)) {
            rejectedTasks.incrementAndGet();
            return false;
        }
        if (!inLoop() && mayBlock.getAndSet(false)) {
            selector.wakeup();
        }
        return true;
    }

    /**
     * Loop thread: a session starts (true) or stops (false) waiting for a descriptor this host ran
     * out of. While any waits, the loop's acceptors do not take new clients: a freed descriptor must
     * go to a session that already has a client, or out of descriptors every one would end up
     * holding a client and none a backend.
     */
    public void descriptorWait(boolean waiting) {
        descriptorWaiters += waiting ? 1 : -1;
    }

    /** Loop thread: whether a session on this loop waits for a descriptor (acceptors hold back). */
    public boolean descriptorsShort() {
        return descriptorWaiters > 0;
    }

    /** Any thread: ends the loop after its current pass and closes its selector. */
    public void stop() {
        stopped = true;
        selector.wakeup();
    }

    /** Any thread: waits for the loop's thread to end. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void run() {
        Throwable died = null;
        try {
            while (!stopped) {
                InjectedFault.check();
                runOnce();
            }
            tasks.drain(runTask, MAX_TASKS_PER_PASS);
        } catch (ClosedSelectorException e) {
            LOG.debug("{}: selector closed", name());
        } catch (Throwable t) {
            LOG.error("{} died; its sessions are lost", name(), t);
            died = t;
        } finally {
            try {
                selector.close();
            } catch (IOException e) {
                LOG.warn("{}: closing selector: {}", name(), e.toString());
            }
            closeDeregistered(toCloseCount);
            terminated.countDown();
        }
        if (died != null && !stopped) {
            // A loop that dies leaves a half-alive daemon (its share of new connections would hang):
            // hand it to the thread's uncaught-exception handler, which in the daemon process exits
            // non-zero so that systemd restarts it (lb.Main).
            throw new LoopDiedError(name() + " died", died);
        }
    }

    /** A loop's main loop ended by an unexpected throwable. */
    static final class LoopDiedError extends Error {
        private static final long serialVersionUID = 1L;

        LoopDiedError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void runOnce() {
        nowNs = clock.nanoTime();
        if (busySinceNs != 0) {
            passEnded(nowNs);
        }
        long waitNs = toCloseCount > 0 ? 0 : timers.nanosUntilNextTick(nowNs);
        // Keys cancelled before this select are deregistered by it; those cancelled during it are not.
        int closable = toCloseCount;
        clockStale = true;
        try {
            if (waitNs == 0) {
                selector.selectNow(dispatch);
            } else {
                mayBlock.set(true);
                if (!tasks.isEmpty() || stopped) {
                    selector.selectNow(dispatch);
                } else {
                    // select(action, 0) blocks without limit; a positive wait rounds up to whole ms.
                    selector.select(dispatch, waitNs < 0 ? 0 : (waitNs + 999_999) / 1_000_000);
                }
                mayBlock.lazySet(false);
            }
        } catch (IOException e) {
            selectFailureLog.warn(clock.nanoTime(), name() + ": select failed: " + e); // may repeat every pass
        }
        if (clockStale) {
            nowNs = clock.nanoTime();
            clockStale = false;
        }
        passStarted(nowNs);
        InjectedFault.stall();
        closeDeregistered(Math.min(closable, MAX_CLOSES_PER_PASS));
        if (!afterSelect.isEmpty()) {
            runAfterSelect();
        }
        buffers.relieve(nowNs); // a field check unless sessions wait for a buffer
        timers.poll(nowNs, MAX_TIMERS_PER_PASS);
        tasks.drain(runTask, MAX_TASKS_PER_PASS);
    }

    /**
     * Loop thread: runs {@code action} right after this loop's next select, by which time every key
     * cancelled before it is deregistered and a channel closed while registered (a listening socket)
     * is really closed. Wakes the selector so that the next select comes at once.
     */
    public void afterNextSelect(Runnable action) {
        afterSelect.add(action);
        selector.wakeup();
    }

    private void runAfterSelect() {
        Runnable[] actions = afterSelect.toArray(new Runnable[0]); // rare (reloads, shutdown): may allocate
        afterSelect.clear();
        for (Runnable action : actions) {
            runTask(action);
        }
    }

    private void closeDeregistered(int count) {
        for (int i = 0; i < count; i++) {
            try {
                toClose[i].close();
            } catch (IOException e) {
                LOG.debug("{}: close: {}", name(), e.toString());
            }
        }
        int remaining = toCloseCount - count;
        System.arraycopy(toClose, count, toClose, 0, remaining);
        Arrays.fill(toClose, remaining, toCloseCount, null);
        toCloseCount = remaining;
    }

    private void dispatch(SelectionKey key) {
        if (clockStale) {
            nowNs = clock.nanoTime();
            clockStale = false;
            passStarted(nowNs);
        }
        KeyHandler handler = (KeyHandler) key.attachment();
        try {
            if (key.isValid()) {
                handler.onReady(key, nowNs);
            }
        } catch (Throwable t) {
            // One broken session must never stop the loop: release it, count it, go on.
            handlerFailures++;
            if (handlerFailureLog.shouldLog(nowNs)) {
                LOG.error("{}: unexpected failure in {} (failure #{})", name(), handler, handlerFailures, t);
            }
            try {
                handler.onFailure(t);
            } catch (Throwable again) {
                // Not even released (out of memory, a class that cannot load without a descriptor):
                // take its channel off the selector and close it, or the loop would spin on the key.
                if (handlerFailureLog.shouldLog(nowNs)) {
                    LOG.error("{}: releasing {} failed too; closing its channel", name(), handler, again);
                }
                key.cancel();
                try {
                    key.channel().close();
                } catch (IOException | RuntimeException ignored) {
                    // closing is all that is left to try
                }
            }
        }
    }

    private void runTask(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            taskFailureLog.error(nowNs, name() + ": task " + task + " failed", t);
        }
    }

    @Override
    public String toString() {
        return name() + "[keys=" + selector.keys().size() + ", timers=" + timers.size() + ", tasks=" + tasks.size() + "]";
    }
}
