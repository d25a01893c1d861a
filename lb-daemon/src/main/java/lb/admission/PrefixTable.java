package lb.admission;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;

/**
 * Any thread (immutable). Prefixes of one family, each marked allow or deny, for longest-prefix
 * lookups that allocate nothing: one open-addressing hash of (masked address, length) holds them
 * all, and a lookup masks the address to each length present, longest first, and probes once per
 * length. A family has at most 33 (IPv4) or 129 (IPv6) lengths, so a lookup is bounded whatever
 * the number of prefixes; a binary trie would touch up to 128 nodes on every lookup instead.
 */
final class PrefixTable {

    static final int NO_MATCH = 0;
    static final int ALLOW = 1;
    static final int DENY = 2;

    /** Lengths present, in the 128-bit form, longest first. */
    private final int[] lengthsDescending;
    private final long[] his;
    private final long[] los;
    /** 0 for an empty slot, else the entry's length in the 128-bit form plus one. */
    private final int[] tags;
    private final boolean[] denies;
    private final int mask;

    /** {@code entries}: prefix → true for deny; all of one family. */
    PrefixTable(Map<Cidr, Boolean> entries) {
        int capacity = Integer.highestOneBit(Math.max(4, entries.size() * 2) - 1) << 1; // load <= 1/2
        his = new long[capacity];
        los = new long[capacity];
        tags = new int[capacity];
        denies = new boolean[capacity];
        mask = capacity - 1;
        TreeSet<Integer> lengths = new TreeSet<>();
        for (Map.Entry<Cidr, Boolean> e : entries.entrySet()) {
            Cidr cidr = e.getKey();
            int bits = cidr.bits128();
            lengths.add(bits);
            int i = index(cidr.hi(), cidr.lo(), bits);
            while (tags[i] != 0) {
                i = (i + 1) & mask;
            }
            his[i] = cidr.hi();
            los[i] = cidr.lo();
            tags[i] = bits + 1;
            denies[i] = e.getValue();
        }
        lengthsDescending = lengths.descendingSet().stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@link #ALLOW} or {@link #DENY} from the longest prefix holding the address, else {@link #NO_MATCH}. */
    int lookup(long hi, long lo) {
        for (int bits : lengthsDescending) {
            long maskedHi = hi & AddressBits.maskHi(bits);
            long maskedLo = lo & AddressBits.maskLo(bits);
            int tag = bits + 1;
            for (int i = index(maskedHi, maskedLo, bits); tags[i] != 0; i = (i + 1) & mask) {
                if (tags[i] == tag && his[i] == maskedHi && los[i] == maskedLo) {
                    return denies[i] ? DENY : ALLOW;
                }
            }
        }
        return NO_MATCH;
    }

    private int index(long hi, long lo, int bits) {
        return (int) mix(hi * 0x9E3779B97F4A7C15L + lo + bits) & mask;
    }

    /** MurmurHash3's 64-bit finaliser: every input bit reaches the low bits used as the index. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }

    @Override
    public String toString() {
        return "PrefixTable[lengths=" + Arrays.toString(lengthsDescending) + "]";
    }
}
