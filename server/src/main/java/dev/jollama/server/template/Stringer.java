package dev.jollama.server.template;

/**
 * A value that Go would print through its {@code String()} method (Go's fmt.Stringer): templates print it, and
 * {@code %v}, {@code %s} and {@code %q} format it, as this string.
 */
public interface Stringer {
    String asString();
}
