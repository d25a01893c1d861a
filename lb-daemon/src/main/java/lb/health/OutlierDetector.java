package lb.health;

import lb.pool.BackendPool;

/** HealthChecker thread. Placeholder while this task is being written: does nothing yet. */
final class OutlierDetector implements HealthChecker.Task {

    OutlierDetector(BackendPool pool) {
    }

    @Override
    public long run(long nowNs) {
        return nowNs + 1_000_000_000L;
    }
}
