package lb.admin;

import java.util.List;

import lb.pool.Backend;
import lb.session.SessionInfo;

/**
 * Any thread. What admin commands ask of the running daemon beyond pool state: work that only the
 * event loops may do, handed to them through their task queues and awaited with a deadline.
 */
public interface DaemonControl {

    /** Closes (with RST) every open session on {@code backend}; returns how many. */
    int closeSessionsOn(Backend backend);

    /** Up to {@code limit} open sessions (on {@code backend}, or all when null), oldest first. */
    SessionList sessions(Backend backend, int limit);

    /**
     * Re-reads the config file and applies what changed in the pools; returns one line per change.
     *
     * @throws IllegalArgumentException listing every problem when nothing was changed
     */
    List<String> reload();

    /** A bounded listing, and how many sessions matched in all. */
    record SessionList(List<SessionInfo> sessions, int matched) {
    }

    /** For tests of the protocol alone: no loops, no sessions. */
    DaemonControl NONE = new DaemonControl() {
        @Override
        public int closeSessionsOn(Backend backend) {
            return 0;
        }

        @Override
        public SessionList sessions(Backend backend, int limit) {
            return new SessionList(List.of(), 0);
        }

        @Override
        public List<String> reload() {
            throw new IllegalArgumentException("no config file to reload");
        }
    };
}
