package lb.loop;

import java.nio.channels.SelectionKey;

/**
 * Owned by one EventLoop thread. What a selection key's attachment is: the loop dispatches each
 * ready key with one interface call, no type tests.
 */
public interface KeyHandler {

    /** The key is ready; {@code nowNs} is the loop's clock for this pass. Must not throw for I/O. */
    void onReady(SelectionKey key, long nowNs);

    /** An unexpected exception escaped {@link #onReady}: release everything, the loop goes on. */
    void onFailure(Throwable cause);
}
