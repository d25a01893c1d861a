package lb.control;

import lb.protocol.Request;

/**
 * One admin command's behaviour. Commands that change state run on the control thread, in the
 * order they arrived; the others on the query thread. Either way a handler must not block: work
 * that waits (loops listing sessions, the stats thread, a drain) answers through the exchange later.
 *
 * @param <R> the command's request record
 */
interface Handler<R extends Request> {

    /** @throws lb.protocol.RefusedException to refuse with its code and message */
    void handle(R request, Exchange exchange);
}
