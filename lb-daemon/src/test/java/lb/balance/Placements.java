package lb.balance;

import java.util.ArrayList;
import java.util.List;

import lb.pool.Backend;
import lb.pool.BackendPool;
import lb.pool.Balancer;
import lb.pool.ClientKey;

/**
 * Test thread only. Where a population of clients lands, for the hashing algorithms' property
 * tests: the clients are {@link TestPools#client(int)}, so every test and every run sees the same keys.
 */
final class Placements {

    private Placements() {
    }

    /** Clients {@code 0..n-1}. */
    static ClientKey[] clients(int n) {
        ClientKey[] clients = new ClientKey[n];
        for (int i = 0; i < n; i++) {
            clients[i] = TestPools.client(i);
        }
        return clients;
    }

    /** Backend names {@code b0..b<n-1>}. */
    static List<String> names(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add("b" + i);
        }
        return names;
    }

    /** The name of the backend each client is placed on (null where none), with nothing to avoid. */
    static String[] picks(BackendPool pool, ClientKey[] clients) {
        Balancer balancer = TestPools.balancer(pool);
        String[] names = new String[clients.length];
        for (int i = 0; i < clients.length; i++) {
            Backend b = balancer.pick(clients[i], null);
            names[i] = b == null ? null : b.name();
        }
        return names;
    }

    /** The fraction of clients placed differently in {@code after} than in {@code before}. */
    static double movedFraction(String[] before, String[] after) {
        int moved = 0;
        for (int i = 0; i < before.length; i++) {
            if (!before[i].equals(after[i])) {
                moved++;
            }
        }
        return (double) moved / before.length;
    }

    /** How many clients were placed on each of {@code names}, in that order. */
    static int[] counts(String[] picks, List<String> names) {
        int[] counts = new int[names.size()];
        for (String pick : picks) {
            int index = names.indexOf(pick);
            if (index >= 0) {
                counts[index]++;
            }
        }
        return counts;
    }

    /** The fraction of clients placed on {@code name}. */
    static double share(String[] picks, String name) {
        int count = 0;
        for (String pick : picks) {
            if (name.equals(pick)) {
                count++;
            }
        }
        return (double) count / picks.length;
    }
}
