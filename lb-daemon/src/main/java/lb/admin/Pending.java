package lb.admin;

/**
 * Owned by the admin thread. A command that answers over time (e.g. {@code drain} with
 * {@code wait}): polled by the admin thread between selects, it may send progress lines, and it
 * ends with one final reply. The connection takes no other request meanwhile.
 */
interface Pending {

    /** What one poll produced: a line to send (or null), and whether it was the final reply. */
    record Step(String line, boolean done) {
    }

    Step poll(long nowNs);
}
