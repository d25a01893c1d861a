package lb.pool;

/**
 * Owned by one EventLoop thread (or, detached, by one admin query). The balancer of a snapshot whose
 * backends are in more than one tier: a session goes to the best tier with a backend that may take
 * it (other than {@code avoid}), and that tier's own balancer picks within it. A backup tier is
 * therefore used only while no backend of a better tier is eligible, for every algorithm alike
 * (HAProxy's {@code backup} servers; SRV priorities, RFC 2782). Eligibility is read live, so a
 * primary going down, being drained or reaching {@code max_connections} sends the next session to
 * the next tier at once, and one coming back takes new sessions again at once, without a new
 * snapshot.
 *
 * <p>Once a tier is chosen its balancer decides: with {@code hash_fallback = "reject"} a client
 * whose home backend in the serving tier is down is refused, as in a pool without tiers, rather
 * than sent to a backup while primaries serve. A retry ({@code avoid}) that leaves no other
 * eligible backend in its tier goes on to the next tier.
 */
final class TieredBalancer implements Balancer {

    private final PoolSnapshot[] tiers;
    private final Balancer[] balancers;

    /** @param tiers one snapshot per tier, best first; {@code balancers[t]} picks within {@code tiers[t]} */
    TieredBalancer(PoolSnapshot[] tiers, Balancer[] balancers) {
        this.tiers = tiers;
        this.balancers = balancers;
    }

    @Override
    public Backend pick(ClientKey client, Backend avoid) {
        for (int t = 0; t < tiers.length; t++) {
            if (tiers[t].anyCandidate(avoid)) {
                return balancers[t].pick(client, avoid);
            }
        }
        return null;
    }
}
