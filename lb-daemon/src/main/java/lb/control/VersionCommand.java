package lb.control;

import lb.protocol.Reply;
import lb.protocol.Request;
import lb.protocol.Version;

/** Query thread. {@code version}: the daemon's version. */
final class VersionCommand implements Handler<Request.Version> {

    @Override
    public void handle(Request.Version request, Exchange exchange) {
        exchange.reply(new Reply.Version(Version.text()));
    }
}
