package dev.jollama.engine.gguf;

import java.nio.file.Path;

/** A model file that cannot be used as it is: truncated, corrupt, or of an unsupported kind. The message names the file. */
public final class GgufFormatException extends RuntimeException {
    private final Path file;

    public GgufFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public GgufFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
