package lb.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Any thread (immutable). One reply line: {@code {"ok":true,"result":{...}}}, a progress line
 * {@code {"ok":true,"progress":{...}}} of a command that waits, or {@code {"ok":false,"error":"...",
 * "code":"..."}}. The daemon writes lines with the static methods; a client reads them with
 * {@link #parse(String)}.
 */
public record Envelope(boolean ok, Map<?, ?> result, Map<?, ?> progress, String error, ErrorCode code) {

    public static String ok(Reply reply) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ok", true);
        line.put("result", reply.toJson());
        return Json.write(line);
    }

    public static String progress(Reply.Progress progress) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ok", true);
        line.put("progress", RecordJson.toJson(progress));
        return Json.write(line);
    }

    public static String error(ErrorCode code, String message) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ok", false);
        line.put("error", message);
        line.put("code", code.wireName());
        return Json.write(line);
    }

    public static String error(RefusedException e) {
        return error(e.code(), e.getMessage());
    }

    /**
     * Reads a reply line.
     *
     * @throws IllegalArgumentException when it is not JSON or not a reply object
     */
    public static Envelope parse(String line) {
        Object parsed = Json.parse(line);
        if (!(parsed instanceof Map<?, ?> map) || !(map.get("ok") instanceof Boolean ok)) {
            throw new IllegalArgumentException("not a reply line: " + line);
        }
        if (!ok) {
            return new Envelope(false, null, null, String.valueOf(map.get("error")), ErrorCode.ofWire(map.get("code")));
        }
        return new Envelope(true, map.get("result") instanceof Map<?, ?> r ? r : null,
                map.get("progress") instanceof Map<?, ?> p ? p : null, null, null);
    }

    public boolean isProgress() {
        return ok && progress != null;
    }

    /** The typed result of a final reply to {@code command}. */
    public Reply reply(Command command) {
        return Reply.read(command, result == null ? Map.of() : result);
    }

    /** The typed progress of a progress line. */
    public Reply.Progress progressRecord() {
        return RecordJson.fromJson(Reply.Progress.class, progress);
    }
}
