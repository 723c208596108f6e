package dev.jollama.engine.image;

/** Bytes that are not an image the engine reads, or one beyond its limits; the message says which and why. */
public final class InvalidImageException extends RuntimeException {
    public InvalidImageException(String message) {
        super(message);
    }

    public InvalidImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
