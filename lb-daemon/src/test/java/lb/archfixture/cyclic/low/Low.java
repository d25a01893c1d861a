package lb.archfixture.cyclic.low;

import lb.archfixture.cyclic.high.High;

/** Never run: a class-file fixture for PackageLayersTest. A lower package using a higher one: the back edge that closes a cycle. */
public final class Low {

    High up;
}
