package lb.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lb.Daemon;
import lb.config.ConfigLoader;
import lb.pool.Backend;
import lb.protocol.ErrorCode;
import lb.protocol.RefusedException;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.EchoBackend;
import lb.testing.Payload;

/**
 * Test thread. A running in-process daemon for the command tests: one listener {@code web} on
 * 127.0.0.1:0, one pool {@code web} over echo backends {@code a} and {@code b} (weights as given),
 * its config in a file so that reload and diff have one; commands go through
 * {@link ControlPlane#call} as an admin client's would.
 */
final class ControlFixture {

    static final String POOL = "web";
    private static final long CALL_MS = 10_000;

    final Cleanup cleanup;
    final Path file;
    final EchoBackend a;
    final EchoBackend b;
    final Daemon daemon;

    private ControlFixture(Cleanup cleanup, Path file, EchoBackend a, EchoBackend b, Daemon daemon) {
        this.cleanup = cleanup;
        this.file = file;
        this.a = a;
        this.b = b;
        this.daemon = daemon;
    }

    static ControlFixture start(Cleanup cleanup, Path dir, String algorithm) throws Exception {
        EchoBackend a = cleanup.track(EchoBackend.start("a"));
        EchoBackend b = cleanup.track(EchoBackend.start("b"));
        Path file = dir.resolve("lb.toml");
        Files.writeString(file, config(algorithm, a, b, 1));
        return new ControlFixture(cleanup, file, a, b, cleanup.track(Daemon.start(ConfigLoader.load(file))));
    }

    /** The fixture's config with {@code weightOfB} for backend b. */
    static String config(String algorithm, EchoBackend a, EchoBackend b, int weightOfB) {
        return """
                [daemon]
                workers = 1
                access_log = false
                admin_socket = ""
                [[listener]]
                name = "web"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                algorithm = "%s"
                [[pool.backend]]
                name = "a"
                address = "127.0.0.1:%d"
                [[pool.backend]]
                name = "b"
                address = "127.0.0.1:%d"
                weight = %d
                """.formatted(algorithm, a.address().getPort(), b.address().getPort(), weightOfB);
    }

    String config(int weightOfB) {
        return config(daemon.pool(POOL).snapshot().algorithm(), a, b, weightOfB);
    }

    Reply call(Request request) {
        return daemon.control().call(request, Caller.signal("test"), CALL_MS);
    }

    /** Asserts {@code request} is refused with {@code code}; returns the message. */
    String refused(Request request, ErrorCode code) {
        RefusedException e = assertThrows(RefusedException.class, () -> call(request));
        org.junit.jupiter.api.Assertions.assertEquals(code, e.code(), e.getMessage());
        return e.getMessage();
    }

    Backend backend(String name) {
        for (Backend backend : daemon.pool(POOL).snapshot().backends()) {
            if (backend.name().equals(name)) {
                return backend;
            }
        }
        return null;
    }

    /** A new session that echoes a random payload intact (it stays open). */
    Client session(long seed) throws Exception {
        Client c = cleanup.track(Client.connect(daemon.listenerAddress("web")));
        byte[] payload = Payload.random(seed, 1024);
        c.send(payload);
        assertArrayEquals(payload, c.readExactly(payload.length), "echoed intact");
        return c;
    }

    /** {@code n} sessions opened and closed; returns them (closed). */
    List<Client> sessions(int n) throws Exception {
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Client c = session(i);
            c.close();
            clients.add(c);
        }
        return clients;
    }
}
