package lb.health;

import java.util.ArrayList;
import java.util.List;

import lb.config.HealthConfig;
import lb.pool.BackendPool;

/** Any thread (stateless). Which health tasks a pool's config asks for. */
final class HealthTasks {

    private HealthTasks() {
    }

    static List<HealthChecker.Task> forPool(BackendPool pool, HealthChecker checker) {
        HealthConfig health = pool.health();
        List<HealthChecker.Task> tasks = new ArrayList<>();
        if (health.active() != null) {
            tasks.add(new ActiveChecks(pool, checker));
        }
        if (health.passive() != null) {
            tasks.add(new OutlierDetector(pool));
        }
        if (health.panicThresholdPercent() > 0 && (health.active() != null || health.passive() != null)) {
            tasks.add(new PanicMode(pool));
        }
        if (!health.slowStart().isZero()) {
            tasks.add(new SlowStart(pool));
        }
        return tasks;
    }
}
