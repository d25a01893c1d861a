package lb.admission;

/**
 * Any thread (immutable). One source as {@link SourceTable#top} lists it for an operator.
 *
 * @param source the source's prefix, e.g. "203.0.113.7/32" or "2001:db8:1:2::/64"
 * @param connections connections open now
 * @param ratePerSecond connections admitted over the last second, estimated as {@link SourceTable} says
 * @param refused connections refused (concurrency or rate) since the source was last taken into the table
 */
public record SourceFigures(String source, int connections, double ratePerSecond, long refused) {
}
