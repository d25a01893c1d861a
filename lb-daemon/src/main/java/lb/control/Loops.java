package lb.control;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.listen.Acceptor;
import lb.listen.Listener;
import lb.loop.EventLoop;
import lb.pool.Backend;
import lb.session.LoopSessions;
import lb.session.Session;
import lb.session.SessionInfo;
import lb.session.Termination;

/**
 * Any thread. What other threads ask of the event loops: each request is a task on every loop's
 * queue (DESIGN.md rule 2), answered through a future, so that no thread but a loop touches its
 * sessions or acceptors, and a caller that must not block (the admin and query threads) does not.
 */
public final class Loops {

    private static final Logger LOG = LoggerFactory.getLogger(Loops.class);
    static final Duration TASK_TIMEOUT = Duration.ofSeconds(5);

    private final EventLoop[] loops;
    private final LoopSessions[] sessions;
    // Per loop, touched only on that loop's thread (through tasks).
    private final List<List<Acceptor>> acceptors = new ArrayList<>();
    private final AtomicLong sessionListings = new AtomicLong();

    public Loops(EventLoop[] loops, LoopSessions[] sessions) {
        this.loops = loops.clone();
        this.sessions = sessions.clone();
        for (int i = 0; i < loops.length; i++) {
            acceptors.add(new ArrayList<>());
        }
    }

    public int size() {
        return loops.length;
    }

    public EventLoop loop(int i) {
        return loops[i];
    }

    /** Start-up thread, before the loops run: every loop accepts from {@code listeners}. */
    public void acceptFrom(Collection<Listener> listeners) throws IOException {
        for (int i = 0; i < loops.length; i++) {
            for (Listener listener : listeners) {
                acceptors.get(i).add(Acceptor.register(listener, loops[i], sessions[i]));
            }
        }
    }

    /** Blocks (bounded): every loop starts accepting from {@code added} and stops accepting from {@code closing}. */
    void changeAcceptors(Collection<Listener> added, Collection<Listener> closing) {
        onEveryLoopAndWait("change acceptors", i -> {
            for (Listener listener : added) {
                try {
                    acceptors.get(i).add(Acceptor.register(listener, loops[i], sessions[i]));
                } catch (IOException e) {
                    LOG.error("{}: cannot accept from listener {}: {}", loops[i].name(), listener.name(), e.toString());
                }
            }
            acceptors.get(i).removeIf(acceptor -> {
                if (closing.contains(acceptor.listener())) {
                    acceptor.close();
                    return true;
                }
                return false;
            });
        });
    }

    /** Blocks (bounded): no loop accepts any more. */
    public void stopAccepting() {
        onEveryLoopAndWait("stop accepting", i -> {
            for (Acceptor acceptor : acceptors.get(i)) {
                acceptor.close();
            }
            acceptors.get(i).clear();
        });
    }

    /**
     * Blocks (bounded) until every loop has selected once more: channels closed while registered
     * (listening sockets) are then really closed, since a selector releases them when it next
     * selects. Reloads and shutdown wait for it, so that an unbound port refuses connections.
     */
    public void barrier() {
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (EventLoop loop : loops) {
            CompletableFuture<Void> part = new CompletableFuture<>();
            if (!loop.submit(() -> loop.afterNextSelect(() -> part.complete(null)))) {
                part.complete(null); // a full queue: the loop is busy selecting anyway; do not wait on it
            }
            parts.add(part);
        }
        try {
            CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
                    .get(TASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("not every loop selected again within {} ms", TASK_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks (bounded): closes every session with {@code cause}. */
    public void closeAll(Termination cause) {
        onEveryLoopAndWait("close sessions", i -> sessions[i].closeAll(cause));
    }

    /** Sessions open now, over all loops (each loop publishes its count). */
    public int activeSessions() {
        int total = 0;
        for (LoopSessions loopSessions : sessions) {
            total += loopSessions.size();
        }
        return total;
    }

    /** Closes (with RST) every open session placed on {@code backend}; completes with how many. */
    public CompletableFuture<Integer> closeSessionsOn(Backend backend) {
        AtomicInteger closed = new AtomicInteger();
        return onEveryLoop("close sessions on " + backend,
                i -> closed.addAndGet(sessions[i].closeOn(backend, Termination.ADMIN_CLOSE)))
                .thenApply(done -> closed.get());
    }

    /** Resets, on every loop, the open sessions {@code which} selects (each loop tests its own); how many. */
    public CompletableFuture<Integer> killSessions(String what, java.util.function.Predicate<Session> which) {
        AtomicInteger killed = new AtomicInteger();
        return onEveryLoop("kill sessions " + what, i -> killed.addAndGet(sessions[i].kill(which, Termination.KILLED)))
                .thenApply(done -> killed.get());
    }

    /** Up to {@code limit} open sessions (on {@code backend}, or all when null), oldest first. */
    public CompletableFuture<SessionList> sessions(Backend backend, int limit) {
        sessionListings.incrementAndGet();
        List<List<SessionInfo>> perLoop = new ArrayList<>();
        AtomicInteger matched = new AtomicInteger();
        for (int i = 0; i < loops.length; i++) {
            perLoop.add(new ArrayList<>());
        }
        return onEveryLoop("list sessions", i -> matched.addAndGet(sessions[i].list(backend, limit, perLoop.get(i),
                loops[i].nowNs()))).thenApply(done -> {
                    List<SessionInfo> all = new ArrayList<>();
                    for (List<SessionInfo> mine : perLoop) {
                        all.addAll(mine); // written by its loop before it completed its part: visible here
                    }
                    all.sort(Comparator.comparingLong(SessionInfo::ageMs).reversed());
                    return new SessionList(List.copyOf(all.subList(0, Math.min(limit, all.size()))), matched.get());
                });
    }

    /** How many times sessions were listed since start (tests: a waiter that stopped costs nothing). */
    public long sessionListings() {
        return sessionListings.get();
    }

    /**
     * Runs {@code action} with the loop index on every loop; the future completes when all ran it,
     * or exceptionally after {@link #TASK_TIMEOUT} or when a loop's queue stays full.
     */
    CompletableFuture<Void> onEveryLoop(String what, IntConsumer action) {
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (EventLoop loop : loops) {
            CompletableFuture<Void> part = new CompletableFuture<>();
            int index = loop.index();
            Runnable task = () -> {
                try {
                    action.accept(index);
                    part.complete(null);
                } catch (RuntimeException e) {
                    part.completeExceptionally(e);
                }
            };
            long deadlineNs = System.nanoTime() + TASK_TIMEOUT.toNanos();
            while (!loop.submit(task)) {
                // A full queue is rare (it holds thousands): wait for the loop a little, off the data path.
                if (System.nanoTime() - deadlineNs > 0) {
                    part.completeExceptionally(new IllegalStateException(loop.name() + ": task queue full, \""
                            + what + "\" not queued"));
                    break;
                }
                LockSupport.parkNanos(1_000_000);
            }
            parts.add(part);
        }
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
                .orTimeout(TASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** As {@link #onEveryLoop}, waiting for it (bounded); a loop that did not run it is logged. */
    void onEveryLoopAndWait(String what, IntConsumer action) {
        try {
            onEveryLoop(what, action).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof TimeoutException
                    ? new TimeoutException("not done on every loop within " + TASK_TIMEOUT.toMillis() + " ms")
                    : e.getCause();
            LOG.warn("\"{}\": {}", what, cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A bounded listing, and how many sessions matched in all. */
    public record SessionList(List<SessionInfo> sessions, int matched) {
    }
}
