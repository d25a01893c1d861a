package lb.archfixture.acyclic.high;

import lb.archfixture.acyclic.low.Low;

/** Never run: a class-file fixture for PackageLayersTest. A higher package using a lower one, as allowed. */
public final class High {

    Low down;
}
