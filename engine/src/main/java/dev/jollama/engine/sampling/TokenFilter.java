package dev.jollama.engine.sampling;

/** Says which tokens may come next, for constrained decoding (a grammar or a JSON schema). */
@FunctionalInterface
public interface TokenFilter {

    boolean allows(int token);

    /**
     * The filter to ask about every token in turn, when the sampler masks the whole vocabulary. A filter that
     * checks single tokens at some cost can work out all answers at once here.
     */
    default TokenFilter forEveryToken() {
        return this;
    }
}
