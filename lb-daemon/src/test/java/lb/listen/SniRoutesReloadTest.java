package lb.listen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import lb.balance.Balancers;
import lb.config.Config;
import lb.config.ConfigLoader;
import lb.config.PoolConfig;
import lb.pool.BackendPool;

/**
 * A reload rebuilds a listener's routes; the sessions a route has taken (lb_route_sessions_total, a
 * counter that must not go back) carry over to the route of the same name, and a new name starts at 0.
 */
class SniRoutesReloadTest {

    private static Config config(String routes) throws Exception {
        return ConfigLoader.parse("""
                [[listener]]
                name = "tls"
                bind = "127.0.0.1:0"
                pool = "a"
                %s
                [[pool]]
                name = "a"
                [[pool.backend]]
                address = "127.0.0.1:9"
                [[pool]]
                name = "b"
                [[pool.backend]]
                address = "127.0.0.1:10"
                """.formatted(routes), Optional.empty());
    }

    private static Map<String, BackendPool> pools(Config config) {
        Map<String, BackendPool> pools = new LinkedHashMap<>();
        for (PoolConfig p : config.pools()) {
            pools.put(p.name(), new BackendPool(p, 1, Balancers::prepare));
        }
        return pools;
    }

    private static SniRoutes.Target route(SniRoutes routes, String name) {
        return routes.targets().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aRouteKeepingItsNameCountsOnAndANewOneStartsAtZero() throws Exception {
        Config before = config("""
                [[listener.route]]
                name = "api"
                sni = ["api.example.com"]
                pool = "a"
                [[listener.route]]
                name = "old"
                sni = ["old.example.com"]
                pool = "b"
                """);
        SniRoutes first = SniRoutes.of(before.listeners().get(0), before, pools(before));
        for (int i = 0; i < 3; i++) {
            route(first, "api").onRouted();
        }
        route(first, "old").onRouted();

        // The reload moves "api" to pool b and adds names; "old" is gone, "new" is new.
        Config after = config("""
                [[listener.route]]
                name = "api"
                sni = ["api.example.com", "api2.example.com"]
                pool = "b"
                [[listener.route]]
                name = "new"
                sni = ["new.example.com"]
                pool = "a"
                """);
        SniRoutes second = SniRoutes.of(after.listeners().get(0), after, pools(after), first);

        assertEquals(3, route(second, "api").sessions(), "the api route counts on");
        assertEquals(0, route(second, "new").sessions(), "a new route starts at 0");
        route(second, "api").onRouted();
        assertEquals(4, route(second, "api").sessions());
        assertEquals("b", route(second, "api").pool().name(), "the route itself is the new config's");
        assertEquals(0, SniRoutes.of(after.listeners().get(0), after, pools(after)).targets().get(0).sessions(),
                "without the listener's previous routes (a start), every route starts at 0");
    }
}
