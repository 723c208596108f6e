package dev.jollama.engine.sampling;

/** Says which tokens may come next, for constrained decoding (a grammar or a JSON schema). */
@FunctionalInterface
public interface TokenFilter {

    boolean allows(int token);
}
