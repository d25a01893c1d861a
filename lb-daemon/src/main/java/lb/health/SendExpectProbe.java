package lb.health;

import java.nio.ByteBuffer;

/** Owned by the HealthChecker thread. Sends the configured bytes; passes when the reply starts with the expected ones. */
final class SendExpectProbe extends Probe {

    private final byte[] expect;

    /**
     * @param send   not copied (one array per backend)
     * @param expect not copied; its length bounds the read (config keeps it within 4 KiB)
     */
    SendExpectProbe(Verdicts verdicts, long deadlineNs, byte[] send, byte[] expect) {
        super(verdicts, deadlineNs, send, expect.length);
        this.expect = expect;
    }

    @Override
    boolean readsReply() {
        return true;
    }

    @Override
    String judge(ByteBuffer reply, boolean eof) {
        int n = Math.min(reply.remaining(), expect.length);
        for (int i = 0; i < n; i++) {
            if (reply.get(reply.position() + i) != expect[i]) {
                return "wrong reply";
            }
        }
        if (n == expect.length) {
            return "";
        }
        return eof ? "reply ended after " + n + " of " + expect.length + " expected bytes" : null;
    }
}
