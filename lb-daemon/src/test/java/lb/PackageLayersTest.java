package lb;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import com.tngtech.archunit.library.dependencies.SliceRule;

/**
 * Test thread only. DESIGN rule 7: lb-daemon's packages depend one way. Two rules over the main
 * classes (tests excluded): no cycle between packages, and each package uses only the packages
 * below it in {@link #LAYERS}. Both rules are also run over small fixtures in {@code lb.archfixture}
 * (test sources, so outside the daemon's scope): one with a cycle, which they must report, and one
 * without, which they must pass.
 */
class PackageLayersTest {

    /**
     * lb-daemon's packages, lowest first; each may use only those before it (DESIGN rule 7). This is
     * the order of dependencies, not of the data flow: a client goes listen (Acceptor) → loop
     * (EventLoop) → session (Session) → balance (a Balancer of the pool's snapshot) → session (Relay).
     */
    static final List<String> LAYERS = List.of(
            "lb.protocol", // the lb-protocol module: admin requests, replies, JSON (JDK only)
            "lb.log",      // logging that cannot flood (rate-limited repeats)
            "lb.systemd", // sd_notify and the watchdog, over a Unix datagram socket (junixsocket)
            "lb.proxyproto", // the PROXY protocol header, read and written without allocating (JDK only)
            "lb.tls", // the TLS ClientHello, read for SNI and ALPN without terminating TLS (JDK only)
            "lb.admission", // allow/deny rules, per-source limits, rate limits (JDK only)
            "lb.config",   // TOML -> immutable records, and the values pools are configured with
            "lb.pool",     // backends, pools, snapshots, the Balancer contract, per-loop counters
            "lb.balance",  // one class per algorithm, built per snapshot by Balancers
            "lb.loop",     // event loop thread, selector, timers, buffers, socket helpers
            "lb.listen",   // bound sockets and per-loop acceptors
            "lb.session",  // one client <-> backend pair, its relays, its end event
            "lb.health",   // health thread: probes, ejection, panic, slow start
            "lb.discovery", // discovery thread: backends from DNS (dnsjava), applied by the control thread
            "lb.stats",    // stats thread and metrics endpoint
            "lb.state",    // runtime changes laid over the config, and their journal
            "lb.control",  // control and query threads: every state change in order, one handler per command
            "lb.admin",    // admin socket thread: socket I/O only
            "lb");         // Daemon (wiring) and Main
    static final Set<String> OPTIONAL = Set.of();
    /** Packages that use no other lb package; only the top layer ({@code lb}: Main) uses them. */
    static final List<String> STANDALONE = List.of("lb.demo");

    /** A dependency the rules let pass: from classes matching {@code origin} to classes matching {@code target}. */
    private record Edge(DescribedPredicate<? super JavaClass> origin, DescribedPredicate<? super JavaClass> target) {
    }

    /** None: every package depends one way. (Kept so that an exception, if ever needed, is named here.) */
    private static final List<Edge> KNOWN_BACK_EDGES = List.of();

    private static final JavaClasses DAEMON = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("lb");

    private static final List<String> FIXTURE_LAYERS = List.of("low", "high");

    @Test
    void daemonPackagesAreFreeOfCycles() {
        SliceRule rule = freeOfCycles("lb");
        for (Edge edge : KNOWN_BACK_EDGES) {
            rule = rule.ignoreDependency(edge.origin(), edge.target());
        }
        rule.check(DAEMON);
    }

    @Test
    void daemonPackagesUseOnlyThoseBelowThem() {
        LayeredArchitecture rule = oneWay("lb", LAYERS, OPTIONAL, STANDALONE);
        for (Edge edge : KNOWN_BACK_EDGES) {
            rule = rule.ignoreDependency(edge.origin(), edge.target());
        }
        rule.check(DAEMON);
    }

    @Test
    void daemonRulesSeeMainClassesOnly() {
        assertTrue(DAEMON.contain(Daemon.class), "main classes imported");
        assertFalse(DAEMON.contain(PackageLayersTest.class), "test classes left out");
        assertTrue(DAEMON.stream().noneMatch(c -> c.getPackageName().startsWith("lb.archfixture")), "fixtures left out");
    }

    @Test
    void aCycleBetweenTwoPackagesIsReported() {
        String root = "lb.archfixture.cyclic";
        JavaClasses fixture = new ClassFileImporter().importPackages(root);
        assertTrue(freeOfCycles(root).evaluate(fixture).hasViolation(), "low -> high -> low is a cycle");
        assertThrows(AssertionError.class, () -> freeOfCycles(root).check(fixture));
        assertThrows(AssertionError.class, () -> oneWay(root, layers(root), Set.of(), List.of()).check(fixture),
                "low -> high goes up");
    }

    @Test
    void packagesThatDependOneWayPass() {
        String root = "lb.archfixture.acyclic";
        JavaClasses fixture = new ClassFileImporter().importPackages(root);
        freeOfCycles(root).check(fixture);
        oneWay(root, layers(root), Set.of(), List.of()).check(fixture);
    }

    /** No cycle between the packages directly under {@code root} (each with its subpackages). */
    static SliceRule freeOfCycles(String root) {
        return slices().matching(root + ".(*)..").should().beFreeOfCycles();
    }

    /**
     * Each package of {@code lowestFirst} (with its subpackages; the last one may be {@code root}
     * itself) uses only the packages before it; each of {@code standalone} uses none of them and
     * only the last one uses it. Every class under {@code root} must be in one of them, so a new
     * package has to take its place here.
     */
    static LayeredArchitecture oneWay(String root, List<String> lowestFirst, Set<String> optional,
                                      List<String> standalone) {
        LayeredArchitecture rule = layeredArchitecture()
                .consideringOnlyDependenciesInAnyPackage(root + "..")
                .ensureAllClassesAreContainedInArchitecture();
        List<String> all = new ArrayList<>(lowestFirst);
        all.addAll(standalone);
        for (String layer : all) {
            String packages = layer.equals(root) ? root : layer + "..";
            rule = (optional.contains(layer) ? rule.optionalLayer(layer) : rule.layer(layer)).definedBy(packages);
        }
        for (int i = 0; i < lowestFirst.size(); i++) {
            List<String> allowed = new ArrayList<>(lowestFirst.subList(0, i));
            if (i == lowestFirst.size() - 1) {
                allowed.addAll(standalone);
            }
            rule = allowed.isEmpty() ? rule.whereLayer(lowestFirst.get(i)).mayNotAccessAnyLayer()
                    : rule.whereLayer(lowestFirst.get(i)).mayOnlyAccessLayers(allowed.toArray(String[]::new));
        }
        for (String layer : standalone) {
            rule = rule.whereLayer(layer).mayNotAccessAnyLayer();
        }
        return rule;
    }

    private static List<String> layers(String root) {
        return FIXTURE_LAYERS.stream().map(layer -> root + "." + layer).toList();
    }
}
