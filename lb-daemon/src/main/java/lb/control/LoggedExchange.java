package lb.control;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import lb.protocol.ErrorCode;
import lb.protocol.Reply;

/** Any thread. The exchange of a command nobody waits on (a signal's reload): the outcome is logged. */
final class LoggedExchange implements Exchange {

    private static final Logger LOG = LoggerFactory.getLogger(LoggedExchange.class);
    private final Caller caller;

    LoggedExchange(Caller caller) {
        this.caller = caller;
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
        LOG.debug("{}: done", caller);
    }

    @Override
    public void refuse(ErrorCode code, String message) {
        LOG.debug("{}: refused ({})", caller, message); // the command has logged why
    }

    @Override
    public boolean isOpen() {
        return false;
    }

    @Override
    public void whenGone(Runnable action) {
        action.run();
    }
}
