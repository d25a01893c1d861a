package lb.health;

import java.nio.ByteBuffer;

/** Owned by the HealthChecker thread. Passes when the TCP connect completes. */
final class TcpProbe extends Probe {

    TcpProbe(Verdicts verdicts, long deadlineNs) {
        super(verdicts, deadlineNs, new byte[0], 1);
    }

    @Override
    boolean readsReply() {
        return false;
    }

    @Override
    String judge(ByteBuffer reply, boolean eof) {
        return "";
    }
}
