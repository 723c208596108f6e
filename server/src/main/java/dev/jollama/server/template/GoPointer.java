package dev.jollama.server.template;

/**
 * Marks a record that stands for a pointer to a Go struct rather than for a struct value, as Ollama passes
 * messages ({@code *templateMessage}). Go's fmt prints such a value with a leading {@code &} and its type name
 * starts with {@code *}; a template action prints the struct itself either way.
 */
public interface GoPointer {
}
