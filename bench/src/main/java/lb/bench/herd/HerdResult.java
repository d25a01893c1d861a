package lb.bench.herd;

import java.util.List;
import java.util.Map;

import lb.bench.load.ErrorKind;

/**
 * Any thread (immutable once made by the main thread). What one herd run measured.
 *
 * @param killAtS            when backend 1 was killed, seconds from the start
 * @param errors             failed sessions (attempts), of every kind
 * @param givenUp            requests the clients gave up (every attempt failed)
 * @param recoveryS          seconds from the kill until errors stopped for 1 s; null if they never did
 * @param survivorMaxPerS    highest per-second load of one surviving backend, in rows after the kill
 * @param meanPerBackendPerS mean per-second load of one backend before the kill (its first second left
 *                           out when there is a later one: a cold JIT)
 */
record HerdResult(HerdPlan plan, List<HerdSecond> seconds, double killAtS, long ok, long errors,
                  Map<ErrorKind, Long> errorsByKind, long givenUp, Double recoveryS, double survivorMaxPerS,
                  double meanPerBackendPerS) {

    /** Survivor peak over the mean before the kill: K/(K-1) when the load spreads evenly. */
    double survivorRatio() {
        return meanPerBackendPerS <= 0 ? 0 : survivorMaxPerS / meanPerBackendPerS;
    }
}
