package lb.admin;

import java.util.List;
import java.util.Map;

import lb.listen.Listener;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.session.SessionInfo;
import lb.stats.StatsAggregator;

/**
 * Any thread. What admin commands ask of the running daemon beyond pool state: work that only the
 * event loops may do, handed to them through their task queues and awaited with a deadline.
 */
public interface DaemonControl extends StatsAggregator.Sources {

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

    /**
     * Journals the runtime changes (how the live pools differ from the config file) to the state
     * file, when there is one. Returns null, or why it could not (the change itself stands).
     */
    String saveState();

    /**
     * How the live state differs from the config file: {@code "runtime"}, the journaled runtime
     * changes; {@code "file"}, what a reload of the file as it is now would change (or
     * {@code "file_error"} when it would be refused).
     *
     * @throws IllegalArgumentException when there is no config file
     */
    Map<String, Object> diff();

    /** Every stats figure now: listeners, pools, backends (see README, Stats). */
    Map<String, Object> stats();

    /** A bounded listing, and how many sessions matched in all. */
    record SessionList(List<SessionInfo> sessions, int matched) {
    }

    /** For tests of the protocol alone: these pools and listeners, no loops, no sessions. */
    static DaemonControl fixed(Map<String, BackendPool> pools, Map<String, Listener> listeners) {
        return new DaemonControl() {
            @Override
            public Map<String, BackendPool> pools() {
                return pools;
            }

            @Override
            public Map<String, Listener> listeners() {
                return listeners;
            }

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

            @Override
            public String saveState() {
                return null;
            }

            @Override
            public Map<String, Object> stats() {
                throw new IllegalArgumentException("no stats without a daemon");
            }

            @Override
            public Map<String, Object> diff() {
                throw new IllegalArgumentException("no config file to compare with");
            }
        };
    }
}
