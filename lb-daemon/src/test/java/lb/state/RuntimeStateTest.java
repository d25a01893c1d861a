package lb.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lb.balance.Balancers;
import lb.config.BackendConfig;
import lb.config.Config;
import lb.config.ConfigLoader;
import lb.pool.AdminState;
import lb.pool.Backend;
import lb.pool.BackendPool;

/** Test thread only. Runtime changes read off live pools, journaled, and laid over a (changed) config file. */
class RuntimeStateTest {

    @TempDir
    Path dir;

    private static Config config(int weightOfB, String extra) throws Exception {
        return ConfigLoader.parse("""
                [daemon]
                workers = 1
                admin_socket = ""
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                [[pool.backend]]
                name = "a"
                address = "127.0.0.1:9001"
                [[pool.backend]]
                name = "b"
                address = "127.0.0.1:9002"
                weight = %d
                [[pool.backend]]
                name = "c"
                address = "127.0.0.1:9003"
                %s""".formatted(weightOfB, extra), Optional.empty());
    }

    private static Map<String, BackendPool> pools(Config config) {
        Map<String, BackendPool> pools = new LinkedHashMap<>();
        config.pools().forEach(p -> pools.put(p.name(), new BackendPool(p, 1, Balancers::prepare)));
        return pools;
    }

    private static Backend backend(BackendPool pool, String name) {
        return pool.snapshot().backends().stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }

    /** Weight of b to 5, a drained, d added, c removed: what an operator did through lb-cli. */
    private static List<RuntimeChange> operatorChanges(Config file) {
        Map<String, BackendPool> pools = pools(file);
        BackendPool web = pools.get("web");
        backend(web, "b").weight(5);
        backend(web, "a").adminState(AdminState.DRAINING);
        web.add(new BackendConfig("d", new InetSocketAddress("127.0.0.1", 9004), 7));
        web.remove(backend(web, "c"));
        return RuntimeState.capture(file, pools);
    }

    @Test
    void changesSurviveAJournalRoundTripAndApplyToTheSameFile() throws Exception {
        Config file = config(1, "");
        List<RuntimeChange> changes = operatorChanges(file);
        assertEquals(List.of("web/a draining", "web/b weight 5 (config 1)", "web/d added at 127.0.0.1:9004 weight 7",
                "web/c removed (config 127.0.0.1:9003)"), changes.stream().map(Object::toString).toList());

        Path journal = dir.resolve("state.json");
        StateFile.write(journal, changes);
        assertEquals(changes, StateFile.read(journal));

        RuntimeState.Overlay overlay = RuntimeState.applyTo(file, StateFile.read(journal));
        assertEquals(List.of(), overlay.overridden());
        Map<String, BackendPool> restarted = pools(overlay.config());
        RuntimeState.applyAdminStates(restarted, overlay.applied());
        assertEquals(changes, RuntimeState.capture(file, restarted), "a restart reproduces the live state");
        BackendPool web = restarted.get("web");
        assertEquals(List.of("a", "b", "d"), web.snapshot().backends().stream().map(Backend::name).toList());
        assertEquals(AdminState.DRAINING, backend(web, "a").adminState());
        assertEquals(5, backend(web, "b").weight());
        assertEquals(7, backend(web, "d").weight());
    }

    @Test
    void whereTheFileChangedTheSameKeyTheFileWinsAndSaysSo() throws Exception {
        List<RuntimeChange> changes = operatorChanges(config(1, ""));
        Config edited = config(3, """
                [[pool.backend]]
                name = "d"
                address = "127.0.0.1:9005"
                """);
        RuntimeState.Overlay overlay = RuntimeState.applyTo(edited, changes);
        assertEquals(List.of(
                "config wins over runtime change web/d added at 127.0.0.1:9004 weight 7: the config now has a backend named d",
                "config wins over runtime change web/b weight 5 (config 1): the config changed its weight 1 -> 3"),
                overlay.overridden());
        Map<String, BackendPool> pools = pools(overlay.config());
        RuntimeState.applyAdminStates(pools, overlay.applied());
        BackendPool web = pools.get("web");
        assertEquals(3, backend(web, "b").weight(), "the file's weight");
        assertEquals(9005, backend(web, "d").address().getPort(), "the file's backend d");
        assertEquals(AdminState.DRAINING, backend(web, "a").adminState(), "untouched keys keep the runtime value");
        assertTrue(web.snapshot().backends().stream().noneMatch(b -> b.name().equals("c")), "c stays removed");
    }

    @Test
    void aDamagedJournalIsRefusedWithTheReason() throws Exception {
        Path journal = dir.resolve("state.json");
        assertEquals(List.of(), StateFile.read(journal), "no journal yet: no changes");
        for (String[] bad : new String[][] {
            {"{\"version\":1,\"changes\":[", "state.json: "},
            {"{\"version\":2,\"changes\":[]}", "not a version 1 state file"},
            {"{\"version\":1,\"changes\":[{\"target\":\"web\",\"key\":\"weight\",\"value\":2,\"config\":1}]}",
                "no \"target\" pool/backend"},
            {"{\"version\":1,\"changes\":[{\"target\":\"web/a\",\"key\":\"colour\"}]}", "web/a: unknown key colour"},
            {"{\"version\":1,\"changes\":[{\"target\":\"web/a\",\"key\":\"weight\",\"value\":5000,\"config\":1}]}",
                "web/a: weight entry with missing or invalid values"},
            {"{\"version\":1,\"changes\":[{\"target\":\"web/x\",\"key\":\"added\",\"value\":\"example.com:80\","
                + "\"config\":null,\"weight\":1}]}", "web/x: added entry with missing or invalid values"},
        }) {
            Files.writeString(journal, bad[0]);
            IOException e = assertThrows(IOException.class, () -> StateFile.read(journal), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
    }
}
