package lb.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RequestTest {

    static Stream<Request> oneOfEach() {
        return Stream.of(new Request.Version(), new Request.Status(), new Request.Stats(), new Request.Diff(),
                new Request.Reload(), new Request.Sessions("web/a", 5L), new Request.Sessions(null, 100L),
                new Request.Explain("127.0.0.1:5", "front"), new Request.Explain("::1", null),
                new Request.PreviewRemove("web/a"),
                new Request.Drain("web/a", true, 2000L, Request.Drain.Then.REMOVE),
                new Request.Drain("web/a", false, null, Request.Drain.Then.KEEP),
                new Request.Undrain("web/a"), new Request.Enable("web/a"), new Request.Disable("web/a", 300L),
                new Request.SetWeight("web/a", 0L), new Request.AddBackend("web", "127.0.0.1:80", 3L, "c"),
                new Request.RemoveBackend("web/a", 30_000L), new Request.KillSession(List.of(257L, 514L), null, null),
                new Request.KillSession(null, "[::1]:80", null), new Request.KillSession(null, null, "web/a"),
                new Request.Sources("web", 5L), new Request.Sources(null, 20L), new Request.Upgrade(30_000L));
    }

    @ParameterizedTest
    @MethodSource("oneOfEach")
    void everyRequestReadsBackAsItWasWritten(Request request) {
        assertEquals(request, Request.parse(request.toLine()));
    }

    @Test
    void everyCommandHasARequestAndAReplyType() {
        List<Command> covered = oneOfEach().map(Request::command).distinct().toList();
        assertEquals(List.of(Command.values()).size(), covered.size(), "a request per command in oneOfEach");
        for (Command c : Command.values()) {
            assertEquals(true, Reply.class.isAssignableFrom(c.replyType()), c + " reply type");
        }
    }

    @Test
    void wireFormIsTheDocumentedOne() {
        assertEquals("{\"cmd\":\"drain\",\"target\":\"web/a\",\"wait\":true,\"deadline_ms\":5,\"then\":\"close\"}",
                Json.write(new Request.Drain("web/a", true, 5L, Request.Drain.Then.CLOSE).toJson()));
        assertEquals("{\"cmd\":\"drain\",\"target\":\"web/a\"}",
                Json.write(new Request.Drain("web/a", false, null, Request.Drain.Then.KEEP).toJson()));
        assertEquals("{\"cmd\":\"set-weight\",\"target\":\"web/a\",\"weight\":3,\"client_pid\":"
                + ProcessHandle.current().pid() + "}", new Request.SetWeight("web/a", 3L).toLine());
        assertEquals(ProcessHandle.current().pid(), Request.parseLine(new Request.Status().toLine()).clientPid());
        assertEquals(-1, Request.parseLine("{\"cmd\":\"status\"}").clientPid());
    }

    static Stream<List<String>> badRequests() {
        return Stream.of(
                List.of("{\"cmd\":\"drain\"}", "bad_request", "missing \"target\" (pool/backend)"),
                List.of("{\"cmd\":\"drain\",\"target\":\"web\"}", "bad_request", "\"web\" is not pool/backend"),
                List.of("{\"cmd\":\"drain\",\"target\":\"a/b\",\"then\":\"close\"}", "bad_request",
                        "\"deadline_ms\" and \"then\" need \"wait\": true"),
                List.of("{\"cmd\":\"drain\",\"target\":\"a/b\",\"wait\":true,\"then\":\"drop\"}", "bad_request",
                        "\"then\" must be \"keep\", \"close\" or \"remove\", not \"drop\""),
                List.of("{\"cmd\":\"set-weight\",\"target\":\"a/b\"}", "bad_request",
                        "\"weight\" must be an integer 0..1000 (missing)"),
                List.of("{\"cmd\":\"set-weight\",\"target\":\"a/b\",\"weight\":1001}", "bad_request",
                        "\"weight\" must be an integer 0..1000, not 1001"),
                List.of("{\"cmd\":\"disable\",\"target\":\"a/b\",\"grace_ms\":-1}", "bad_request",
                        "\"grace_ms\" must be an integer of milliseconds, 0 or more"),
                List.of("{\"cmd\":\"sessions\",\"limit\":0}", "bad_request", "\"limit\" must be an integer 1..10000, not 0"),
                List.of("{\"cmd\":\"add-backend\",\"pool\":\"web\",\"address\":\"x:1\",\"name\":\"a b\"}", "bad_request",
                        "\"name\" must be 1..255 printable ASCII characters, no spaces"),
                List.of("{\"cmd\":\"explain\"}", "bad_request", "missing \"client\" (ip or ip:port)"),
                List.of("{\"cmd\":\"reboot\"}", "unknown_command", "unknown command \"reboot\" (known: add-backend, "
                        + "diff, disable, drain, enable, explain, kill-session, preview-remove, reload, remove-backend, sessions, "
                        + "set-weight, sources, stats, status, undrain, upgrade, version)"),
                List.of("[1]", "bad_request", "a request is a JSON object with a \"cmd\" field"),
                List.of("{\"cmd\":\"kill-session\"}", "bad_request", "give exactly one of \"ids\" (session ids), "
                        + "\"client\" (ip or ip:port) or \"target\" (pool/backend)"),
                List.of("{\"cmd\":\"kill-session\",\"ids\":[1],\"target\":\"a/b\"}", "bad_request", "give exactly one of "
                        + "\"ids\" (session ids), \"client\" (ip or ip:port) or \"target\" (pool/backend)"),
                List.of("{\"cmd\":\"kill-session\",\"ids\":[]}", "bad_request", "\"ids\" must be a list of 1..1000 session ids"),
                List.of("{\"cmd\":\"kill-session\",\"ids\":[\"x\"]}", "bad_request", "\"ids\": \"x\" is not a session id"),
                List.of("{\"cmd\":", "bad_request", "malformed JSON at offset 7: unexpected end"));
    }

    @ParameterizedTest
    @MethodSource("badRequests")
    void badRequestIsRefusedWithItsCodeAndMessage(List<String> lineCodeMessage) {
        RefusedException e = assertThrows(RefusedException.class, () -> Request.parse(lineCodeMessage.get(0)));
        assertEquals(lineCodeMessage.get(1), e.code().wireName());
        assertEquals(lineCodeMessage.get(2), e.getMessage());
    }
}
