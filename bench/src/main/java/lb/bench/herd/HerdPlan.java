package lb.bench.herd;

/**
 * Any thread (immutable). One validated herd run.
 *
 * @param backends        echo backends behind lb; backend 1 is the one killed
 * @param clients         client threads, each with one session at a time
 * @param durationNs      length of the run
 * @param killAfterNs     when backend 1 is killed, from the start
 * @param requestSize     bytes each session sends and reads back
 * @param holdNs          how long a session stays open after its echo (0 = close at once)
 * @param timeoutNs       connect deadline, and read deadline of the echo
 * @param workers         lb's event loops
 * @param lbRetries       the pool's {@code retries} in the generated config
 */
record HerdPlan(int backends, int clients, long durationNs, long killAfterNs, RetryPolicy retry,
                boolean circuitBreaking, int requestSize, long holdNs, long timeoutNs, int workers, int lbRetries) {

    HerdPlan with(RetryPolicy newRetry, boolean newCircuitBreaking) {
        return new HerdPlan(backends, clients, durationNs, killAfterNs, newRetry, newCircuitBreaking, requestSize,
                holdNs, timeoutNs, workers, lbRetries);
    }
}
