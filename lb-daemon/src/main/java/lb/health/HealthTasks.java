package lb.health;

import java.util.ArrayList;
import java.util.List;

import lb.config.HealthConfig;
import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.HealthState;

/** Any thread (stateless). Which health tasks a pool's config asks for. */
final class HealthTasks {

    private HealthTasks() {
    }

    /**
     * HealthChecker thread, before a pool's tasks are rebuilt: undoes state that no task of the new
     * settings would ever undo.
     */
    static void settle(BackendPool pool) {
        HealthConfig health = pool.health();
        for (Backend backend : pool.snapshot().backends()) {
            if (health.active() == null) {
                if (backend.healthState() == HealthState.DOWN) {
                    backend.changeHealthState(HealthState.UP);
                }
                backend.firstCheckDone(); // no probe will ever come
            }
            if (health.passive() == null && backend.isEjected()) {
                backend.restore();
            }
        }
        if (health.panicThresholdPercent() <= 0) {
            pool.poolHealth().panic(false);
        }
        pool.poolHealth().slowStartNs(health.slowStart().toNanos());
    }

    static List<HealthChecker.Task> forPool(BackendPool pool, HealthChecker checker) {
        HealthConfig health = pool.health();
        List<HealthChecker.Task> tasks = new ArrayList<>();
        if (health.active() != null) {
            tasks.add(new ActiveChecks(pool, checker));
        }
        if (health.passive() != null) {
            tasks.add(new OutlierDetector(pool, checker));
        }
        if (health.panicThresholdPercent() > 0 && (health.active() != null || health.passive() != null)) {
            tasks.add(new PanicMode(pool));
        }
        if (!health.slowStart().isZero()) {
            tasks.add(new SlowStart(pool, checker));
        }
        return tasks;
    }
}
