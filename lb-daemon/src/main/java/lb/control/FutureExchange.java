package lb.control;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import lb.protocol.ErrorCode;
import lb.protocol.RefusedException;
import lb.protocol.Reply;

/**
 * Any thread. The exchange of an in-process caller (the daemon's own API, tests): the final reply
 * completes a future; progress is dropped.
 */
final class FutureExchange implements Exchange {

    private final Caller caller;
    private final CompletableFuture<Reply> result = new CompletableFuture<>();

    FutureExchange(Caller caller) {
        this.caller = caller;
    }

    /**
     * The final reply, waiting at most {@code timeoutMs}.
     *
     * @throws RefusedException as the command refused, or UNAVAILABLE when it did not answer in time
     */
    Reply await(long timeoutMs) {
        try {
            return result.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw (RefusedException) e.getCause();
        } catch (TimeoutException e) {
            throw new RefusedException(ErrorCode.UNAVAILABLE, "no answer within " + timeoutMs + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RefusedException(ErrorCode.UNAVAILABLE, "interrupted");
        }
    }

    @Override
    public Caller caller() {
        return caller;
    }

    @Override
    public void progress(Reply.Progress progress) {
    }

    @Override
    public void reply(Reply reply) {
        result.complete(reply);
    }

    @Override
    public void refuse(ErrorCode code, String message) {
        result.completeExceptionally(new RefusedException(code, message));
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void whenGone(Runnable action) {
        // an in-process caller does not go away
    }
}
