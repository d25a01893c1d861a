package lb.control;

import lb.protocol.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import lb.config.BalancerOptions;
import lb.balance.TestPools;
import lb.pool.BackendPool;
import lb.protocol.Reply;
import lb.protocol.Request;

/** preview-remove: the share of clients a removal would move, for the algorithms that map clients. */
class PreviewRemoveCommandTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> preview(String algorithm) {
        BackendPool pool = TestPools.pool(algorithm, BalancerOptions.DEFAULTS, TestPools.equalWeights(10));
        ControlPlane plane = ControlPlane.overForTest(Map.of("test", pool), Map.of());
        try {
            Reply reply = plane.call(new Request.PreviewRemove("test/b3"), Caller.signal("test"), 10_000);
            assertEquals(10, pool.snapshot().size(), "a preview changes nothing");
            return (Map<String, Object>) Json.parse(Json.write(reply.toJson()));
        } finally {
            plane.close();
        }
    }

    @Test
    void maglevMovesAboutTheRemovedBackendsShareOnly() {
        Map<String, Object> r = preview("maglev");
        assertEquals(true, r.get("deterministic"));
        double own = (Double) r.get("share_on_backend");
        double others = (Double) r.get("share_of_others_moving");
        assertTrue(Math.abs(own - 0.1) < 0.01, r.toString());
        assertTrue(others < 0.01, "Maglev's extra disruption: " + r);
    }

    @Test
    void ringHashMovesNothingBeyondTheRemovedBackend() {
        Map<String, Object> r = preview("ring_hash");
        assertEquals(0.0, r.get("share_of_others_moving"), r.toString());
    }

    @Test
    void sourceHashMovesMostClients() {
        Map<String, Object> r = preview("source_hash");
        assertTrue((Double) r.get("share_moving") > 0.5, "not consistent: " + r);
    }

    @Test
    void roundRobinSaysItDoesNotMapClients() {
        Map<String, Object> r = preview("round_robin");
        assertEquals(false, r.get("deterministic"), r.toString());
    }
}
