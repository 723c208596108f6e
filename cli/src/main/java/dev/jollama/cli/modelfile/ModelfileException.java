package dev.jollama.cli.modelfile;

/** A Modelfile that cannot be used; the message names the line (from 1) when there is one. */
public final class ModelfileException extends RuntimeException {
    private final int line;

    ModelfileException(int line, String problem) {
        super(line > 0 ? "line " + line + ": " + problem : problem);
        this.line = line;
    }

    /** The line of the problem, counting from 1; 0 when it is about the whole file (no FROM). */
    public int line() {
        return line;
    }
}
