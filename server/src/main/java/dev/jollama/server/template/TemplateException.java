package dev.jollama.server.template;

/**
 * A template that cannot be parsed or executed. The message follows Go's form:
 * {@code template: NAME:LINE:COL: what is wrong} for parse errors and
 * {@code template: NAME:LINE:COL: executing "NAME" at <CONTEXT>: what went wrong} for execution errors,
 * where COL counts UTF-8 bytes from the start of the line, from 0, as Go does.
 */
public final class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }
}
