package dev.jollama.server.template;

/**
 * A value with its own JSON form, like a Go type with a {@code MarshalJSON} method; the {@code json} template
 * function and enclosing values use it as is, so it must already be valid, Go-escaped JSON (build it with
 * {@link GoJson#marshal}).
 */
public interface JsonMarshaler {
    String marshalJson();
}
