package lb.archfixture.cyclic.high;

import lb.archfixture.cyclic.low.Low;

/** Never run: a class-file fixture for PackageLayersTest. A higher package using a lower one, as allowed. */
public final class High {

    Low down;
}
