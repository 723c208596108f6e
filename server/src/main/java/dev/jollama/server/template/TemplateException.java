package dev.jollama.server.template;

/**
 * A template that cannot be parsed or executed. The message follows Go's form:
 * {@code template: NAME:LINE:COL: what is wrong} for parse errors and
 * {@code template: NAME:LINE:COL: executing "NAME" at <CONTEXT>: what went wrong} for execution errors,
 * where COL counts UTF-8 bytes from the start of the line, from 0, as Go does.
 */
public final class TemplateException extends RuntimeException {
    /** How deeply actions may nest ({{if}} in {{if}}, parentheses in parentheses); Go limits only parentheses (10,000). */
    public static final int MAX_NESTING = 1000;
    /** The most characters a rendered prompt may have: twice the largest request body. */
    public static final int MAX_OUTPUT_CHARS = 128 << 20;

    private final boolean overLimit;

    public TemplateException(String message) {
        this(message, false);
    }

    private TemplateException(String message, boolean overLimit) {
        super(message);
        this.overLimit = overLimit;
    }

    /** A template or its output beyond one of this server's limits: the request's fault, not the template's. */
    static TemplateException overLimit(String message) {
        return new TemplateException(message, true);
    }

    public boolean overLimit() {
        return overLimit;
    }

    /** Throws when a rendered prompt has grown past {@link #MAX_OUTPUT_CHARS}. */
    static void checkOutput(int length) {
        if (length > MAX_OUTPUT_CHARS) {
            throw overLimit("the rendered prompt exceeds " + MAX_OUTPUT_CHARS + " characters (the limit)");
        }
    }
}
