package lb.tls;

import java.nio.ByteBuffer;

/**
 * Owned by the thread that owns its {@link ClientHello}. Reads one handshake message's bytes in
 * order across the TLS records that carry it, stepping over each record header, so a fragmented
 * ClientHello is read where it lies instead of being copied together. It trusts the record
 * headers: {@link ClientHelloParser} has walked and checked them all, and never asks for a byte
 * past the message's end. The buffer is passed to every call, never kept, so nothing outlives a parse.
 */
final class RecordCursor {

    /** Index in the buffer of the next byte. */
    private int at;
    /** Payload bytes of the current record not yet read; at 0 the next byte is a record header's. */
    private int recordLeft;
    /** Message bytes read or skipped so far, the 4-byte handshake header included. */
    private int offset;

    /** Places the cursor before the record whose header is at {@code recordAt}. */
    void start(int recordAt) {
        at = recordAt;
        recordLeft = 0;
        offset = 0;
    }

    /** Message bytes behind the cursor. */
    int offset() {
        return offset;
    }

    int u8(ByteBuffer in) {
        if (recordLeft == 0) {
            nextRecord(in);
        }
        recordLeft--;
        offset++;
        return in.get(at++) & 0xff;
    }

    int u16(ByteBuffer in) {
        return u8(in) << 8 | u8(in);
    }

    int u24(ByteBuffer in) {
        return u8(in) << 16 | u16(in);
    }

    void skip(ByteBuffer in, int n) {
        offset += n;
        while (n > 0) {
            if (recordLeft == 0) {
                nextRecord(in);
            }
            int step = Math.min(n, recordLeft);
            at += step;
            recordLeft -= step;
            n -= step;
        }
    }

    private void nextRecord(ByteBuffer in) {
        recordLeft = (in.get(at + 3) & 0xff) << 8 | (in.get(at + 4) & 0xff);
        at += ClientHelloParser.RECORD_HEADER;
    }
}
