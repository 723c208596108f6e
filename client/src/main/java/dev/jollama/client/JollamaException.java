package dev.jollama.client;

/**
 * A failed call: the server answered with an error, or it could not be reached.
 *
 * <p>The message is the server's own text from its {@code {"error": "..."}} body (or the body itself when it is
 * not JSON), so it can be shown to a user as is.
 */
public class JollamaException extends RuntimeException {
    /** The status used when no HTTP response was received (connection refused, I/O failure, interruption). */
    public static final int NO_RESPONSE = 0;

    private final int statusCode;

    public JollamaException(int statusCode, String message) {
        super(message);
        this.statusCode = statusCode;
    }

    public JollamaException(int statusCode, String message, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
    }

    /**
     * The HTTP status of the failure. For an error line in the middle of a stream (the response itself was 200),
     * it is the line's {@code status} field when present, else 500: the status the server would have sent had the
     * failure come before the stream started. {@link #NO_RESPONSE} when the server was not reached.
     */
    public int statusCode() {
        return statusCode;
    }
}
