package lb.protocol;

/**
 * Any thread. A request the daemon will not carry out, with the code and the message its error reply
 * carries. A subclass of {@link IllegalArgumentException} because most refusals are bad arguments.
 */
public class RefusedException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public RefusedException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static RefusedException badRequest(String message) {
        return new RefusedException(ErrorCode.BAD_REQUEST, message);
    }

    public static RefusedException notFound(String message) {
        return new RefusedException(ErrorCode.NOT_FOUND, message);
    }
}
