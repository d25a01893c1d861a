package lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.testing.AdminClient;
import lb.testing.Cleanup;
import lb.testing.DaemonProcess;
import lb.testing.EchoBackend;

/**
 * Test thread only. Runtime changes made through the admin socket of a daemon process survive its
 * restart through the state file; a later edit of the same key in the config file wins on reload
 * and the reply says so; {@code diff} tells runtime changes from pending file edits.
 */
class StateFileProcessTest {

    private static final Duration START = Duration.ofSeconds(20);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private String config(EchoBackend a, EchoBackend b, int weightOfB) {
        return """
                [daemon]
                workers = 1
                access_log = false
                admin_socket = "%s"
                state_file = "%s"
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                [[pool.backend]]
                name = "a"
                address = "127.0.0.1:%d"
                [[pool.backend]]
                name = "b"
                address = "127.0.0.1:%d"
                weight = %d
                """.formatted(dir.resolve("admin.sock"), dir.resolve("state.json"), a.address().getPort(),
                b.address().getPort(), weightOfB);
    }

    private DaemonProcess start(Path config) throws Exception {
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--config", config.toString()));
        daemon.awaitLine(DaemonProcess.READY_LINE, START);
        return daemon;
    }

    private String call(String request) throws Exception {
        String reply = AdminClient.call(dir.resolve("admin.sock"), request);
        assertTrue(reply.startsWith("{\"ok\":true"), request + " -> " + reply);
        return reply;
    }

    @Test
    void runtimeChangesSurviveARestartAndAFileEditOfTheSameKeyWinsOnReload() throws Exception {
        EchoBackend a = cleanup.track(EchoBackend.start("a"));
        EchoBackend b = cleanup.track(EchoBackend.start("b"));
        EchoBackend c = cleanup.track(EchoBackend.start("c"));
        Path config = dir.resolve("lb.toml");
        Files.writeString(config, config(a, b, 1));
        DaemonProcess first = start(config);
        call("{\"cmd\":\"set-weight\",\"target\":\"web/b\",\"weight\":5}");
        call("{\"cmd\":\"drain\",\"target\":\"web/a\"}");
        call("{\"cmd\":\"add-backend\",\"pool\":\"web\",\"name\":\"c\",\"address\":\"127.0.0.1:" + c.address().getPort()
                + "\",\"weight\":2}");
        String journal = Files.readString(dir.resolve("state.json"));
        assertTrue(journal.contains("{\"target\":\"web/b\",\"key\":\"weight\",\"value\":5,\"config\":1}")
                && journal.contains("\"target\":\"web/a\",\"key\":\"admin_state\",\"value\":\"draining\"")
                && journal.contains("\"target\":\"web/c\",\"key\":\"added\""), journal);
        first.terminate();
        assertEquals(0, first.awaitExit(START), first.output());

        DaemonProcess second = start(config);
        String status = call("{\"cmd\":\"status\"}");
        assertTrue(status.contains("\"name\":\"a\",\"address\":\"127.0.0.1:" + a.address().getPort() + "\"")
                && status.matches(".*\"name\":\"a\"[^}]*\"admin_state\":\"draining\".*"), "a still drained: " + status);
        assertTrue(status.matches(".*\"name\":\"b\"[^}]*\"weight\":5.*"), "b still weighs 5: " + status);
        assertTrue(status.matches(".*\"name\":\"c\"[^}]*\"weight\":2.*"), "c still there: " + status);

        String diff = call("{\"cmd\":\"diff\"}");
        assertTrue(diff.contains("\"runtime\":[{\"target\":\"web/a\"") && diff.contains("\"file\":[]"), diff);

        Files.writeString(config, config(a, b, 3));
        assertTrue(call("{\"cmd\":\"diff\"}").contains("\"file\":[\"pool web: backend b weight 1 -> 3\"]"),
                "diff shows the pending file edit");
        String reload = call("{\"cmd\":\"reload\"}");
        assertTrue(reload.contains("config wins over runtime change web/b weight 5 (config 1): the config changed its "
                + "weight 1 -> 3"), reload);
        status = call("{\"cmd\":\"status\"}");
        assertTrue(status.matches(".*\"name\":\"b\"[^}]*\"weight\":3.*"), "the file's weight: " + status);
        assertTrue(status.matches(".*\"name\":\"a\"[^}]*\"admin_state\":\"draining\".*"), "other changes kept: " + status);
        assertFalse(Files.readString(dir.resolve("state.json")).contains("\"web/b\""), "the journal dropped it");
        second.terminate();
        assertEquals(0, second.awaitExit(START), second.output());
    }

    @Test
    void aDamagedStateFileIsSetAsideAndTheDaemonStartsFromTheConfigFile() throws Exception {
        EchoBackend a = cleanup.track(EchoBackend.start("a"));
        EchoBackend b = cleanup.track(EchoBackend.start("b"));
        Path config = dir.resolve("lb.toml");
        Files.writeString(config, config(a, b, 1));
        Files.writeString(dir.resolve("state.json"), "{\"version\":1,\"changes\":[{\"target\":\"web/b\"");
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--config", config.toString()));
        daemon.awaitLine(Pattern.compile("cannot use state file .*state.json.*moved to .*state.json.bad"), START);
        daemon.awaitLine(DaemonProcess.READY_LINE, START);
        assertTrue(Files.exists(dir.resolve("state.json.bad")));
        call("{\"cmd\":\"set-weight\",\"target\":\"web/b\",\"weight\":4}");
        assertTrue(Files.readString(dir.resolve("state.json")).contains("\"value\":4"), "journaling goes on");
    }
}
