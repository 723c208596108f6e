package dev.jollama.server.template;

import java.util.List;

/**
 * A function callable from a template. Arguments arrive evaluated, as values of {@link GoValues}' data model; the
 * number of arguments has been checked against the declared arity. Throwing {@link IllegalArgumentException} is
 * Go's returning an error: execution stops with "error calling NAME: message".
 */
@FunctionalInterface
public interface TemplateFunction {
    Object call(List<Object> args);
}
