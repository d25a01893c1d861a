package lb.archfixture.acyclic.low;

/** Never run: a class-file fixture for PackageLayersTest. A lower package that uses nothing above it. */
public final class Low {
}
