package lb.protocol;

import java.util.Map;

/**
 * Any thread (stateless). Reads one typed field of a request object, with the error message the
 * protocol has always given for it (docs/admin.md).
 */
final class Fields {

    private Fields() {
    }

    /** A required {@code "target": "pool/backend"}. */
    static String target(Map<String, Object> request) {
        Object value = request.get("target");
        if (!(value instanceof String text)) {
            throw RefusedException.badRequest(value == null ? "missing \"target\" (pool/backend)"
                    : "\"target\" must be a string: pool/backend");
        }
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw RefusedException.badRequest("\"" + text + "\" is not pool/backend");
        }
        return text;
    }

    /** An optional target: null when absent. */
    static String optionalTarget(Map<String, Object> request) {
        return request.containsKey("target") ? target(request) : null;
    }

    /** An optional count of milliseconds, 0 or more: {@code fallback} when absent. */
    static Long millis(Map<String, Object> request, String field, Long fallback) {
        Object value = request.get(field);
        if (value == null && !request.containsKey(field)) {
            return fallback;
        }
        if (!(value instanceof Long ms) || ms < 0) {
            throw RefusedException.badRequest("\"" + field + "\" must be an integer of milliseconds, 0 or more");
        }
        return ms;
    }

    /** An integer in {@code min..max}; {@code fallback} when absent (null: required). */
    static long integer(Map<String, Object> request, String field, long min, long max, Long fallback) {
        Object value = request.get(field);
        if (value == null && fallback != null) {
            return fallback;
        }
        if (!(value instanceof Long n) || n < min || n > max) {
            throw RefusedException.badRequest("\"" + field + "\" must be an integer " + min + ".." + max
                    + (value == null ? " (missing)" : ", not " + Json.write(value)));
        }
        return n;
    }

    /** A required string, with what it should hold for the message. */
    static String string(Map<String, Object> request, String field, String what) {
        Object value = request.get(field);
        if (!(value instanceof String text)) {
            throw RefusedException.badRequest("missing \"" + field + "\" (" + what + ")");
        }
        return text;
    }
}
