package lb.pool;

/**
 * Any thread (stateless). How a {@link BackendPool} gets the balancers of each snapshot it
 * publishes; implemented by {@code lb.balance.Balancers::prepare} and handed to the pool by whoever
 * builds it, so that the pool, below the algorithms, never names one.
 *
 * <p>Two steps, as Envoy's thread-aware balancers: the publishing control thread
 * {@linkplain #prepare prepares} what every loop shares for one snapshot (tables, rings, cumulative
 * weights) before the snapshot is published; each loop then takes its own {@link Balancer} from
 * that on its first pick, which is cheap.
 */
@FunctionalInterface
public interface BalancerFactory {

    /** Called off the event loops, before {@code snapshot} is published; its algorithm must be known. */
    Prepared prepare(PoolSnapshot snapshot);

    /** Immutable, any thread: what one snapshot's balancers share; hands each loop its balancer. */
    @FunctionalInterface
    interface Prepared {
        /** Called by EventLoop-{@code loopIndex} on its first pick from the snapshot. */
        Balancer forLoop(int loopIndex);
    }
}
