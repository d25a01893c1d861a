package lb.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.protocol.ErrorCode;
import lb.protocol.Reply;
import lb.protocol.Request;
import lb.testing.Await;
import lb.testing.Cleanup;
import lb.testing.Client;
import lb.testing.Payload;

/**
 * Test thread. {@code kill-session}: the sessions chosen by id, client or backend are reset at once;
 * every other session goes on echoing intact. And {@code drain --then remove} at its deadline resets
 * what is left before the backend leaves, so no session outlives its backend (issue 14, defect 4).
 */
class KillSessionCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    @Test
    void killsBySessionIdClientAndBackendAndSparesTheRest() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        Client first = f.session(1); // round robin over a, b: first and third on a, second and fourth on b
        Client second = f.session(2);
        Client third = f.session(3);
        Client fourth = f.session(4);
        Reply.Sessions listed = (Reply.Sessions) f.call(new Request.Sessions(null, 100L));
        assertEquals(4, listed.matched());
        long idOfSecond = idOf(listed, second);

        assertEquals(new Reply.KillSession(1), f.call(new Request.KillSession(List.of(idOfSecond), null, null)));
        assertEquals(Client.End.RESET, second.awaitEnd());
        echoes(first, 11);
        echoes(third, 13);
        echoes(fourth, 14);

        String fourthClient = "127.0.0.1:" + fourth.socket().getLocalPort();
        assertEquals(new Reply.KillSession(1), f.call(new Request.KillSession(null, fourthClient, null)));
        assertEquals(Client.End.RESET, fourth.awaitEnd());
        echoes(first, 21);
        echoes(third, 23);

        assertEquals(new Reply.KillSession(2), f.call(new Request.KillSession(null, null, "web/a")));
        assertEquals(Client.End.RESET, first.awaitEnd());
        assertEquals(Client.End.RESET, third.awaitEnd());
        Await.until(() -> f.daemon.pool("web").snapshot().backend(0).activeSessions() == 0, WAIT, "a has no session");

        Client fifth = f.session(5);
        assertEquals(new Reply.KillSession(0), f.call(new Request.KillSession(List.of(idOfSecond, 999_999L), null,
                null)), "ids of ended or unknown sessions match nothing");
        assertEquals(new Reply.KillSession(0), f.call(new Request.KillSession(null, "127.0.0.2", null)));
        echoes(fifth, 31);
        assertEquals(new Reply.KillSession(1), f.call(new Request.KillSession(null, "127.0.0.1", null)),
                "an address without a port: every port");
        assertEquals(Client.End.RESET, fifth.awaitEnd());

        f.refused(new Request.KillSession(null, "not-an-ip", null), ErrorCode.BAD_REQUEST);
        f.refused(new Request.KillSession(null, null, "web/zz"), ErrorCode.NOT_FOUND);
    }

    @Test
    void drainThenRemoveAtTheDeadlineResetsWhatIsLeftThenRemoves() throws Exception {
        ControlFixture f = ControlFixture.start(cleanup, dir, "round_robin");
        Client onA = f.session(1);
        Client onB = f.session(2);
        Reply.Backend done = (Reply.Backend) f.call(new Request.Drain("web/a", true, 200L, Request.Drain.Then.REMOVE));
        assertEquals(Boolean.FALSE, done.drained());
        assertEquals("remove", done.then());
        assertEquals(1, done.sessionsClosed());
        assertEquals(Boolean.TRUE, done.removed());
        assertEquals(Client.End.RESET, onA.awaitEnd(), "no session outlives its backend's removal");
        assertEquals(1, f.daemon.pool("web").snapshot().size());
        echoes(onB, 7);
        Await.until(() -> f.daemon.listeners().get("web").activeSessions() == 1, WAIT, "the listener counts b's session only");
        Reply.Sessions listed = (Reply.Sessions) f.call(new Request.Sessions(null, 100L));
        assertEquals(1, listed.matched());
        assertEquals("web/b", listed.sessions().get(0).backend());
    }

    private static long idOf(Reply.Sessions listed, Client client) {
        String address = "127.0.0.1:" + client.socket().getLocalPort();
        for (Reply.SessionEntry s : listed.sessions()) {
            if (s.client().equals(address)) {
                assertTrue(s.id() > 0, "ids are positive: " + s);
                return s.id();
            }
        }
        throw new AssertionError(address + " not listed: " + listed);
    }

    private static void echoes(Client client, long seed) throws Exception {
        byte[] payload = Payload.random(seed, 4096);
        client.send(payload);
        assertArrayEquals(payload, client.readExactly(payload.length), "still echoing intact");
    }
}
