package lb.control;

import lb.protocol.ErrorCode;
import lb.protocol.RefusedException;
import lb.protocol.Reply;

/**
 * Any thread. One request's way back to whoever sent it: progress lines, then exactly one final
 * reply or refusal. The admin server implements it per connection (lines are queued for its
 * thread); a signal's reload implements it by logging.
 */
public interface Exchange {

    Caller caller();

    /** A progress line (commands that wait); ignored once the client has gone. */
    void progress(Reply.Progress progress);

    /** The final reply. */
    void reply(Reply reply);

    /** The final refusal. */
    void refuse(ErrorCode code, String message);

    default void refuse(RefusedException e) {
        refuse(e.code(), e.getMessage());
    }

    /** False once the client has gone away: a waiting command stops spending on its progress. */
    boolean isOpen();

    /**
     * {@code action} runs once (on the thread that notices) if the client goes away before the
     * final reply; at once if it already has.
     */
    void whenGone(Runnable action);
}
